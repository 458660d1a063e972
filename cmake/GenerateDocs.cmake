# Build-time step (cmake -P): the built mctl writes its man page and shell completions, all
# generated from its command tree, into OUT (share/man/man1/mctl.1, share/completions/*).
# -DMCTL=<binary> -DOUT=<dir>
set(ENV{ASAN_OPTIONS} "detect_leaks=0")  # a sanitizer build's leak report is not the docs' concern
unset(ENV{MCTL_OUTPUT})
foreach(_spec "man|man/man1/mctl.1" "completion;bash|completions/mctl.bash"
        "completion;zsh|completions/_mctl" "completion;fish|completions/mctl.fish")
  string(REPLACE "|" ";" _spec "${_spec}")
  list(POP_BACK _spec _file)
  execute_process(COMMAND ${MCTL} ${_spec} OUTPUT_FILE ${OUT}/${_file}.tmp RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "mctl ${_spec} failed (${_rc})")
  endif()
  file(RENAME ${OUT}/${_file}.tmp ${OUT}/${_file})
endforeach()
