// Temporary: replaced by the deploy module's implementation (issue #5).
#include "core/error.hpp"
#include "deploy/images_in_use.hpp"

namespace mctl::deploy {

std::map<std::string, std::string> images_in_use(const core::Config&, int) {
  throw Error("reading Marathon's apps is not implemented yet (issue #5)", Exit::usage);
}

}  // namespace mctl::deploy
