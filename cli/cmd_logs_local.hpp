#pragma once
// The local target of `mctl logs` (--local): containers started by `mctl up`.
#include <string>

#include "cli/context.hpp"

namespace mctl::cli {

struct LocalLogsQuery {
  std::string app;
  long long tail = -1;  // lines from the end; -1: all
  bool follow = false;
  bool out = true;
  bool err = true;
  std::string since;
};

void run_local_logs(Context& ctx, const LocalLogsQuery& query);

}  // namespace mctl::cli
