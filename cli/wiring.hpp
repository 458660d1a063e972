#pragma once
// The option wiring commands repeat: a subcommand bound to a flags object of its own, and the
// options of a command that follows the deployment it starts or waits for.
#include <CLI/CLI.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "cli/commands.hpp"

namespace mctl::cli {

// `name` under `parent` with a Flags made for it (bind its options to it); run(ctx, flags) is
// its body, run after the global options are applied.
template <typename Flags>
std::pair<CLI::App*, std::shared_ptr<Flags>> bound_command(CLI::App& parent, Context& ctx, const std::string& name,
                                                         const std::string& about, void (*run)(Context&, const Flags&)) {
  auto flags = std::make_shared<Flags>();
  auto* sub = parent.add_subcommand(name, about);
  sub->callback(command(ctx, [&ctx, flags, run] { run(ctx, *flags); }));
  return {sub, flags};
}

// A yes/no flag of a command: its names, the member of Flags it sets, its help.
template <typename Flags>
struct FlagSpec {
  const char* names;
  bool Flags::*member;
  const char* about;
};

// Adds `specs` in order, each bound to its member of `flags`.
template <typename Flags>
void add_flags(CLI::App* cmd, Flags& flags, std::initializer_list<FlagSpec<Flags>> specs) {
  for (const auto& spec : specs) cmd->add_flag(spec.names, flags.*(spec.member), spec.about);
}

// --force, --timeout and --no-wait of a command that follows a deployment.
struct FollowFlags {
  std::string timeout;  // "": deploy.timeout
  bool force = false;
  bool no_wait = false;
};

// Each option's help; nullptr leaves that option out.
struct FollowHelp {
  const char* force = nullptr;
  const char* timeout = nullptr;
  const char* no_wait = nullptr;
};

// Adds the options `help` names, in the order force, timeout, no-wait.
void add_follow_options(CLI::App* cmd, FollowFlags& f, const FollowHelp& help);

}  // namespace mctl::cli
