#include "cli/manual.hpp"

#include <fmt/format.h>

#include "cli/examples.hpp"
#include "core/config.hpp"

namespace mctl::cli {
namespace {

// Text in roff: backslashes and hyphens escaped, and no line may start with a control
// character ('.' or ''').
std::string roff(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string option_synopsis(const OptionInfo& o) {
  std::string out;
  for (const auto& n : o.names)
    out += (out.empty() ? "" : ", ") + fmt::format("\\fB{}\\fR", roff(n));
  if (o.kind == ValueKind::none) return out;
  if (o.kind == ValueKind::choice)
    return out + " " + roff(fmt::format("{}", fmt::join(o.choices, "|")));
  return out + fmt::format(" \\fI{}\\fR", roff(o.value_name));
}

std::string options_block(const std::vector<OptionInfo>& options) {
  std::string out;
  for (const auto& o : options)
    out += fmt::format(".TP\n{}\n{}\n", option_synopsis(o), roff(o.description));
  return out;
}

std::string usage(const CommandInfo& c) {
  std::string out = "mctl " + c.path;
  if (!c.subcommands.empty()) return out + " COMMAND";
  if (!c.options.empty()) out += " [OPTIONS]";
  for (const auto& p : c.positionals) {
    const std::string name = p.name + (p.repeatable ? "..." : "");
    out += p.required ? " " + name : " [" + name + "]";
  }
  return out;
}

std::string examples_of(const std::string& path) {
  for (const auto& e : command_examples()) {
    if (e.command != path) continue;
    std::string out = ".PP\nExamples:\n.PP\n.RS\n.nf\n";
    for (const auto& line : e.lines) out += roff(line) + "\n";
    return out + ".fi\n.RE\n";
  }
  return "";
}

std::string command_section(const CommandInfo& c) {
  std::string out = fmt::format(".SS \"{}\"\n{}\n", roff(usage(c)), roff(c.description));
  if (!c.subcommands.empty()) {
    out += fmt::format(".PP\nCommands: {}.\n",
                       roff(fmt::format("{}", fmt::join(c.subcommands, ", "))));
  }
  if (!c.positionals.empty()) {
    out += ".PP\nArguments:\n";
    for (const auto& p : c.positionals) {
      out += fmt::format(".TP\n\\fI{}\\fR\n{}\n", roff(p.name), roff(p.description));
    }
  }
  if (!c.options.empty()) out += ".PP\nOptions:\n" + options_block(c.options);
  return out + examples_of(c.path);
}

std::string environment_section() {
  std::string out = ".SH ENVIRONMENT\n";
  out += ".TP\n\\fBMCTL_ENV\\fR\nThe environment when \\fB\\-e\\fR is not given.\n";
  out += ".TP\n\\fBMCTL_OUTPUT\\fR\n\\fBjson\\fR: the same as \\fB\\-\\-json\\fR.\n";
  out += ".TP\n\\fBNO_COLOR\\fR\nNo colours (as \\fB\\-\\-no\\-color\\fR).\n";
  out += ".TP\n\\fBEDITOR\\fR, \\fBVISUAL\\fR\nThe editor of \\fBmctl vault edit\\fR.\n";
  for (const auto& k : core::key_table()) {
    for (const auto& var : k.env_vars) {
      out += fmt::format(".TP\n\\fB{}\\fR\n{} (\\fB{}\\fR in mctl.yaml).\n", roff(var),
                         roff(k.help), roff(k.key));
    }
  }
  return out;
}

const char* const k_description[] = {
    "mctl is one binary that replaces an Ansible-based deploy workflow for Docker on Apache Mesos "
    "+ "
    "Marathon: secrets (Ansible Vault compatible), rendering app specs to Marathon app "
    "definitions, "
    "git-sha image tags and image cleanup, Marathon deploys that end with a real \"done\" or a "
    "rollback, and Mesos-DNS lookups.",
    "Settings are layered, lowest first: built-in defaults, mctl.yaml (found by walking up from "
    "the "
    "working directory, or --config FILE; its top level, then the selected environment's block "
    "under "
    "environments:), MCTL_* environment variables, command-line flags. 'mctl config show' prints "
    "each "
    "value with its origin.",
    "Global options may be given before or after the command. Errors are one line on stderr, "
    "\"mctl: error: <what was being done, on what, and why>\"; with --json the same error is also "
    "printed on stdout as {\"error\": {\"message\", \"exit_code\"}}.",
};

}  // namespace

const std::vector<ExitCodeInfo>& exit_codes() {
  static const std::vector<ExitCodeInfo> table = {
      {0, "ok", "success"},
      {1, "failure", "the operation failed"},
      {2, "usage or bad input",
       "usage error or bad input (unknown command or flag, missing or unreadable input file, "
       "malformed "
       "YAML, unknown key)"},
      {3, "remote service error",
       "a remote service answered with an error or could not be reached (Marathon, registry, "
       "Docker, DNS)"},
      {4, "timeout", "a deadline or timeout passed"},
      {5, "wrong password or access denied",
       "wrong vault password or modified vault file; or access denied (HTTP 401/403)"},
      {6, "deploy failed and rolled back", "deploy failed and the previous version was restored"},
      {7, "deploy failed and rollback failed too",
       "deploy failed and restoring the previous version failed too"},
      {8, "nothing found", "nothing found (e.g. DNS: no records)"},
      {130, "interrupted", "interrupted (Ctrl-C)"},
  };
  return table;
}

std::string man_page(const std::vector<CommandInfo>& tree, const std::string& version) {
  std::string out = fmt::format(".TH MCTL 1 \"\" \"mctl {}\" \"User Commands\"\n", roff(version));
  out +=
      ".SH NAME\nmctl \\- deploy Docker apps to Mesos + Marathon (vault, render, image, deploy, "
      "dns)\n";
  out +=
      ".SH SYNOPSIS\n.B mctl\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] "
      "[\\fIARGUMENTS\\fR]\n";
  out += ".SH DESCRIPTION\n";
  for (const char* paragraph : k_description) out += roff(paragraph) + "\n.PP\n";
  for (const auto& c : tree) {
    if (c.path.empty()) out += ".SH GLOBAL OPTIONS\n" + options_block(c.options);
  }
  out += ".SH COMMANDS\n";
  for (const auto& c : tree) {
    if (!c.path.empty()) out += command_section(c);
  }
  out += ".SH EXIT STATUS\n";
  for (const auto& e : exit_codes())
    out += fmt::format(".TP\n.B {}\n{}\n", e.code, roff(e.meaning));
  out += environment_section();
  out += ".SH FILES\n.TP\n.I mctl.yaml\nThe project file (see \\fBmctl config show\\fR).\n";
  out +=
      ".TP\n.I apps/NAME.yaml\\fR, \\fIapps/NAME.ENV.yaml\nApp specs and their per-environment "
      "overlays.\n";
  out += ".SH SEE ALSO\n\\fBansible\\-vault\\fR(1), \\fBdocker\\fR(1), \\fBgit\\fR(1)\n";
  return out;
}

}  // namespace mctl::cli
