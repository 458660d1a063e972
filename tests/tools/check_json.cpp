// mctl_check_json: validates mctl's JSON output (stdin) against a schema of docs/schemas/.
//   mctl_check_json COMMON.json SCHEMA.json EXIT_CODE [--ndjson]
// The schema's "#/definitions/..." may name COMMON.json's definitions. Checks, besides the
// schema: without --ndjson stdin is exactly one JSON document; with it, one object per line.
// The last document carries {"error": {"exit_code": EXIT_CODE}} when EXIT_CODE != 0 and no
// "error" when it is 0 (a stream's earlier lines never carry one). Exit 0 valid, 1 not.
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

using nlohmann::json;

namespace {

json read_json_file(const char* path) {
  std::ifstream in(path);
  return json::parse(in);
}

bool validate(const valijson::Schema& schema, const json& doc, const std::string& where) {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(doc);
  if (validator.validate(schema, adapter, &results)) return true;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    std::string path;
    for (const auto& p : e.context) path += p;
    std::cerr << where << ": " << path << ": " << e.description << "\n";
  }
  return false;
}

bool exit_code_agrees(const json& last, int exit_code, bool is_last) {
  const bool has_error = last.is_object() && last.contains("error");
  if (!is_last || exit_code == 0) return !has_error;
  return has_error && last["error"].value("exit_code", -1) == exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: mctl_check_json COMMON.json SCHEMA.json EXIT_CODE [--ndjson]\n";
    return 2;
  }
  json schema_doc = read_json_file(argv[2]);
  schema_doc["definitions"] = read_json_file(argv[1])["definitions"];
  valijson::Schema schema;
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_doc);
  parser.populateSchema(schema_adapter, schema);
  const int exit_code = std::stoi(argv[3]);
  const bool ndjson = argc > 4 && std::string(argv[4]) == "--ndjson";
  const std::string input((std::istreambuf_iterator<char>(std::cin)),
                          std::istreambuf_iterator<char>());
  std::vector<std::string> docs;
  if (ndjson) {
    std::istringstream lines(input);
    for (std::string line; std::getline(lines, line);) docs.push_back(line);
  } else {
    docs.push_back(input);
  }
  if (docs.empty()) {
    std::cerr << "no JSON output\n";
    return 1;
  }
  bool ok = true;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const std::string where = ndjson ? "line " + std::to_string(i + 1) : "document";
    json doc;
    try {
      doc = json::parse(docs[i]);  // throws on trailing text: one document only
    } catch (const json::exception& e) {
      std::cerr << where << ": not one JSON document: " << e.what() << "\n";
      return 1;
    }
    ok = validate(schema, doc, where) && ok;
    if (!exit_code_agrees(doc, exit_code, i + 1 == docs.size())) {
      std::cerr << where << ": the error object does not agree with exit code " << exit_code
                << "\n";
      ok = false;
    }
  }
  return ok ? 0 : 1;
}
