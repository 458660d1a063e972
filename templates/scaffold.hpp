#pragma once
// mctl init: the files of a new project (a commented mctl.yaml, one app spec, the .gitignore
// and .gitattributes lines a team needs), written without overwriting anything.
#include <filesystem>
#include <string>
#include <vector>

namespace mctl::templates {

struct ScaffoldFile {
  std::filesystem::path path;  // relative to the project directory
  std::string text;
  bool lines = false;  // .gitignore style: lines appended to an existing file when missing
};

// The files for a project with one app. Throws Error(Exit::usage) for an app name Marathon
// would not accept as an id segment.
std::vector<ScaffoldFile> project_files(const std::string& project, const std::string& app);

// A name Marathon accepts (lowercase letters, digits, inner dashes) from a directory name;
// "app" when nothing usable is left.
std::string name_from_directory(const std::filesystem::path& dir);

// What write_project did to each file: "created", "appended" or "unchanged".
struct Written {
  std::filesystem::path path;
  std::string action;
};

// Creates dir when missing and writes the files: a file that exists is refused with
// Error(Exit::usage) naming it, before anything is written; for `lines` files only the
// missing lines are appended. Each write is atomic.
std::vector<Written> write_project(const std::filesystem::path& dir,
                                   const std::vector<ScaffoldFile>& files);

}  // namespace mctl::templates
