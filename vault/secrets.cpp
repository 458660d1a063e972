// load_secrets: the contract render and deploy use (vault/secrets.hpp).
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/yaml.hpp"
#include "vault/envelope.hpp"
#include "vault/secrets.hpp"
#include "vault/secure.hpp"

namespace mctl::vault {
namespace {

// yaml_to_json, except that `!vault` scalars are decrypted (always strings, as in Ansible).
nlohmann::json to_json(const YAML::Node& node, const std::vector<VaultPassword>& passwords, const std::string& name) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!vault") {
        const auto where = core::yaml_position(name, node);
        auto plain = decrypt_envelope(node.Scalar(), passwords, where);
        return std::string(plain.plaintext.view());
      }
      return core::yaml_scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      auto arr = nlohmann::json::array();
      for (const auto& item : node) arr.push_back(to_json(item, passwords, name));
      return arr;
    }
    case YAML::NodeType::Map: {
      auto obj = nlohmann::json::object();
      for (const auto& kv : node) obj[kv.first.Scalar()] = to_json(kv.second, passwords, name);
      return obj;
    }
    default:
      return nullptr;
  }
}

}  // namespace

nlohmann::json load_secrets(const std::filesystem::path& file, const std::vector<VaultPassword>& passwords) {
  const std::string name = file.string();
  std::string text;
  const WipeGuard text_guard(text);  // a secrets file without a vault header is plaintext
  try {
    text = core::read_file(file);
  } catch (const Error& e) {
    throw Error(fmt::format("load secrets: {}", e.what()), Exit::usage);
  }
  std::string yaml;  // core::parse_yaml takes a std::string; wiped however this ends
  const WipeGuard yaml_guard(yaml);
  if (detect_format(text)) {
    const auto decrypted = decrypt_envelope(text, passwords, name);
    yaml.assign(decrypted.plaintext.data(), decrypted.plaintext.size());
  } else {
    yaml.swap(text);
  }
  const auto root = core::parse_yaml(yaml, name);
  auto result = to_json(root, passwords, name);
  if (result.is_null()) return nlohmann::json::object();
  return result;
}

}  // namespace mctl::vault
