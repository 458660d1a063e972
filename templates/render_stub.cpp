// Temporary: replaced by the templates module's implementation (issue #4).
#include "core/error.hpp"
#include "templates/render.hpp"

namespace mctl::templates {

std::vector<std::string> list_apps(const core::Config&) {
  throw Error("render is not implemented yet (issue #4)", Exit::usage);
}

RenderedApp render_app(const core::Config&, const std::string&, const RenderOptions&) {
  throw Error("render is not implemented yet (issue #4)", Exit::usage);
}

std::string canonical_json(const nlohmann::json& value) { return value.dump(2) + "\n"; }

}  // namespace mctl::templates
