// Examples shown at the end of each command's --help, one table for the whole tree so they are
// easy to review together; tests/unit/test_cli_help.cpp checks every option they use exists.
#include "cli/examples.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace mctl::cli {

const std::vector<CommandExamples>& command_examples() {
  static const std::vector<CommandExamples> table = {
      {"vault create", {"mctl vault create secrets/prod.vault.yaml --vault-password-file ~/.vault-pass",
        "mctl vault create secrets/new.yml --format ansible --vault-id prod@prompt"}},
      {"vault encrypt", {"mctl vault encrypt secrets/prod.yml --vault-password-file ~/.vault-pass",
        "mctl vault encrypt - --format ansible --vault-password-file ~/.vault-pass < plain.yml"}},
      {"vault decrypt", {"mctl vault decrypt secrets/prod.yml --vault-password-file ~/.vault-pass",
        "mctl vault decrypt secrets/prod.yml --output - --vault-id prod@prompt",
        "mctl vault decrypt secrets/prod.yml --output plain.yml --ask-vault-password"}},
      {"vault view", {"mctl vault view secrets/prod.yml --vault-password-file ~/.vault-pass",
        "mctl vault view secrets/a.yml secrets/b.yml --ask-vault-password"}},
      {"vault edit", {"mctl vault edit secrets/prod.yml",
        "EDITOR=nano mctl vault edit secrets/prod.yml --vault-id prod@prompt"}},
      {"vault rekey", {"mctl vault rekey secrets/prod.yml --vault-password-file old.pass --new-vault-password-file new.pass",
        "mctl vault rekey secrets/*.yml --ask-vault-password --format mctl"}},
      {"vault encrypt-string", {"mctl vault encrypt-string --stdin-name db_password --vault-password-file ~/.vault-pass < secret.txt",
        "printf %s \"$TOKEN\" | mctl vault encrypt-string --name api_token --encrypt-vault-id prod --vault-id prod@prompt"}},
      {"vault decrypt-string", {"mctl vault decrypt-string --vault-password-file ~/.vault-pass < value.txt",
        "pbpaste | mctl vault decrypt-string --ask-vault-password"}},
      {"render", {"mctl render web -e prod",
        "mctl render apps/web.yaml -e staging --set replicas=3 -o web.json",
        "mctl render --all -e prod -o out/"}},
      {"schema", {"mctl schema > .mctl/app-spec.schema.json",
        "mctl schema | python3 -m json.tool --compact | wc -c"}},
      {"init", {"mctl init",
        "mctl init services/shop --app cart"}},
      {"lint", {"mctl lint",
        "mctl lint web api -e prod --strict"}},
      {"image tag", {"mctl image tag web:latest",
        "mctl image tag web --push --strict"}},
      {"image build", {"mctl image build web --push",
        "mctl image build api --context services/api -f Dockerfile.prod --build-arg VERSION=2"}},
      {"image push", {"mctl image push web",
        "mctl image push registry.local:5000/web:v1"}},
      {"image exists", {"mctl image exists web",
        "mctl image exists web:0123456789ab --registry registry.local:5000"}},
      {"images gc local", {"mctl images gc local --dry-run",
        "mctl images gc local --keep 3 --yes web api"}},
      {"images gc registry", {"mctl images gc registry --keep 10",
        "mctl images gc registry --older-than 30d --yes 'team/*'",
        "mctl --registry localhost:5000 images gc registry --protect-env prod,staging --dry-run"}},
      {"deploy", {"mctl deploy web -e prod",
        "mctl deploy web api worker -e staging --parallel 2 --timeout 15m",
        "mctl deploy web.json --dry-run --json"}},
      {"diff", {"mctl diff web -e prod",
        "mctl diff web --set image_tag=v2 -e staging"}},
      {"deployments", {"mctl deployments -e prod",
        "mctl deployments --json"}},
      {"cancel", {"mctl cancel web -e prod",
        "mctl cancel 5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43 --no-wait"}},
      {"status", {"mctl status web -e prod",
        "mctl status /prod/api/web --json"}},
      {"apps", {"mctl apps -e prod",
        "mctl apps --marathon http://127.0.0.1:8080 --json"}},
      {"versions", {"mctl versions web -e prod",
        "mctl versions /prod/web --limit 0"}},
      {"rollback", {"mctl rollback web -e prod",
        "mctl rollback web --to 2024-05-01T10:00:00.000Z --force"}},
      {"restart", {"mctl restart web -e prod",
        "mctl restart web --no-wait"}},
      {"scale", {"mctl scale web 4 -e prod",
        "mctl scale worker 0 --timeout 5m"}},
      {"stop", {"mctl stop web -e staging",
        "mctl stop web --no-wait --force",
        "mctl stop web --yes"}},
      {"destroy", {"mctl destroy old-app -e staging",
        "mctl destroy /staging/old-app --yes"}},
      {"tasks", {"mctl tasks web -e prod",
        "mctl tasks /prod/web --json"}},
      {"kill", {"mctl kill 2b1f0c7e -e prod",
        "mctl kill web.instance-2b1f0c7e --scale --yes"}},
      {"queue", {"mctl queue -e prod",
        "mctl queue web --json"}},
      {"queue reset", {"mctl queue reset web -e prod",
        "mctl queue reset /prod/worker"}},
      {"wait", {"mctl wait web -e prod",
        "mctl wait 5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43 --timeout 5m"}},
      {"dns lookup", {"mctl dns lookup _web-api-prod._tcp.marathon.mesos",
        "mctl dns lookup leader.mesos --type ANY --json",
        "mctl dns lookup --batch names.txt --short --server 127.0.0.1:8600"}},
      {"dns app", {"mctl dns app /prod/api/web --port-name http",
        "mctl dns app /prod/api/web --http http://127.0.0.1:8123"}},
      {"logs", {"mctl logs web -e prod",
        "mctl logs web -e prod -f --stderr",
        "mctl logs /prod/web --task 1a2b --tail all > task.log",
        "mctl logs web --completed --since 1h",
        "mctl logs --local web -f --stderr --since 10m"}},
      {"top", {"mctl top web -e prod",
        "mctl top --all --json",
        "mctl top web --watch --interval 2s"}},
      {"config show", {"mctl config show",
        "mctl config show -e prod --json"}},
      {"version", {"mctl version",
        "mctl version --json"}},
      {"help", {"mctl help deploy",
        "mctl help images gc registry"}},
      {"completion bash", {"mctl completion bash > ~/.local/share/bash-completion/completions/mctl",
        "mctl completion bash | sudo tee /etc/bash_completion.d/mctl"}},
      {"completion zsh", {"mctl completion zsh > ~/.zfunc/_mctl  # with fpath+=(~/.zfunc) before compinit",
        "mctl completion zsh | sudo tee /usr/local/share/zsh/site-functions/_mctl"}},
      {"completion fish", {"mctl completion fish > ~/.config/fish/completions/mctl.fish",
        "mctl completion fish | sudo tee /etc/fish/completions/mctl.fish"}},
      {"completion apps", {"mctl completion apps",
        "mctl completion apps -C services/shop"}},
      {"man", {"mctl man | man -l -",
        "mctl man > mctl.1"}},
      {"completion vault-ids", {"mctl completion vault-ids",
        "mctl completion vault-ids -e prod"}},
      {"completion environments", {"mctl completion environments",
        "mctl completion environments --config ops/mctl.yaml"}},
      {"completion words", {"mctl completion words apps",
        "mctl completion words environments -C services/shop"}},
      {"up", {"mctl up",
        "mctl up web --detach -e local",
        "mctl up --detach --timeout 2m --set log_level=debug"}},
      {"ps", {"mctl ps",
        "mctl ps --json"}},
      {"down", {"mctl down",
        "mctl down web --volumes"}},
  };
  return table;
}

CLI::App* find_command(CLI::App& root, const std::string& path) {
  CLI::App* at = &root;
  std::string word;
  for (std::size_t start = 0; start <= path.size();) {
    auto end = path.find(' ', start);
    if (end == std::string::npos) end = path.size();
    word = path.substr(start, end - start);
    start = end + 1;
    const auto found = at->get_subcommands([&](CLI::App* s) { return s->check_name(word); });
    if (found.empty()) return nullptr;
    at = found.front();
  }
  return at;
}

void add_examples(CLI::App& root, bool whole_tree) {
  for (const auto& [path, lines] : command_examples()) {
    auto* sub = find_command(root, path);
    if (!sub && !whole_tree) continue;
    if (!sub) throw std::logic_error("examples for a command that does not exist: " + path);
    std::string footer = "Examples:";
    for (const auto& line : lines) footer += "\n  " + line;
    sub->footer(footer);
  }
}

}  // namespace mctl::cli
