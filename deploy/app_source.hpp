#pragma once
// An app named on the command line by a rendered Marathon definition (a .json file) rather
// than by a spec: recognising it and reading it into a job.
#include <filesystem>
#include <string>

#include "deploy/deployer.hpp"

namespace mctl::deploy {

// Whether APP names a rendered definition: `given` ends in ".json" and `file` (where it is,
// from the -C directory) is a regular file.
bool is_definition_file(const std::string& given, const std::filesystem::path& file);

// The job of a rendered definition: its canonical "id" and the JSON as is. Error (usage) when
// it is not a JSON object with a string "id"; `given` names it in messages and is the source.
AppJob job_from_definition(const std::string& given, const std::filesystem::path& file);

}  // namespace mctl::deploy
