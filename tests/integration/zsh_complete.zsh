# zsh -f zsh_complete.zsh OUT LINE: writes to OUT the candidates zsh's completion system
# offers when Tab is pressed at the end of LINE in an interactive zsh on a pseudo-terminal.
zmodload zsh/zpty || exit 2
local out=$1 line=$2
: >$out
zpty z zsh -f -i
zpty -w z "PS1=''; autoload -Uz compinit; compinit -u -D; source <(mctl completion zsh)"
zpty -w z 'compadd() { if (( ${@[(I)-[OAD]]} )); then builtin compadd "$@"; return; fi; local -a m; builtin compadd -O m "$@"; print -rl -- $m >>'$out'; builtin compadd "$@"; }'
zpty -w z 'comppostfuncs=(__done); __done() { print -r -- "<done>" >>'$out'; }'
zpty -n -w z "$line"$'\t'
local deadline=$(( SECONDS + 10 ))
while (( SECONDS < deadline )); do
  grep -q '^<done>$' $out && break
  zpty -r -t z junk 2>/dev/null
  sleep 0.05
done
zpty -d z
grep -v '^<done>$' $out | sort -u
