#pragma once
// A throwaway mctl project for the templates tests: mctl.yaml, apps/, and the working
// directory set to it so messages show "apps/web.yaml:L:C".
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/config.hpp"
#include "templates/render.hpp"

namespace mctl::test {

class TempProject {
 public:
  explicit TempProject(const std::string& mctl_yaml) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mctl-render-XXXXXX").string();
    m_dir = ::mkdtemp(tmpl.data());
    std::filesystem::create_directories(m_dir / "apps");
    write("mctl.yaml", mctl_yaml);
    m_previous = std::filesystem::current_path();
    std::filesystem::current_path(m_dir);
  }
  ~TempProject() {
    std::filesystem::current_path(m_previous);
    std::filesystem::remove_all(m_dir);
  }
  TempProject(const TempProject&) = delete;
  TempProject& operator=(const TempProject&) = delete;

  void write(const std::string& relative, const std::string& text) const {
    std::ofstream(m_dir / relative) << text;
  }
  core::Config config(const std::string& env = "") const {
    core::LoadOptions o;
    o.cwd = m_dir;
    if (!env.empty()) o.env_name = env;
    return core::Config::load(o);
  }
  const std::filesystem::path& dir() const { return m_dir; }

 private:
  std::filesystem::path m_dir;
  std::filesystem::path m_previous;
};

// Fixed git facts, so image tags are predictable.
inline core::GitInfo fake_git() {
  return {"0123456789abcdef0123456789abcdef01234567", "main", false};
}

inline templates::RenderOptions options_with_git() {
  templates::RenderOptions o;
  o.git = fake_git;
  return o;
}

}  // namespace mctl::test
