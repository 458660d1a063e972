#pragma once
// Marathon's own validation rules that its JSON Schema cannot express, the safety rails of
// rendering, and the platform checklist (lint).
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "templates/schema.hpp"

namespace mctl::templates {

// Marathon's server-side rules (API.md section 6): app id segments and reserved names,
// cmd/args/container, networking modes vs port mappings, secret references, resident apps,
// health and readiness checks. Problems are errors.
std::vector<Problem> check_marathon_rules(const nlohmann::json& app);

// Errors for any string value that still holds vault ciphertext ($ANSIBLE_VAULT or
// $MCTL_VAULT): it would reach Marathon undecrypted.
std::vector<Problem> check_ciphertext(const nlohmann::json& app);

// Warnings for secrets interpolated into plain `env` values (`secret_values` maps JSON
// pointers to the secret variable they hold).
std::vector<Problem> check_secrets_in_env(const nlohmann::json& app,
                                          const std::map<std::string, std::string>& secret_values);

// The platform checklist's warnings: health check present, immutable image tag, resources
// set, spread of multiple instances, configuration via env, no sshd.
std::vector<Problem> lint_checklist(const nlohmann::json& app);

// One check: appends the problems it finds in an app definition to `out`.
using Check = void (*)(const nlohmann::json& app, std::vector<Problem>& out);
// The problems of every check in order; none when `app` is not a JSON object.
std::vector<Problem> run_checks(const nlohmann::json& app, std::initializer_list<Check> checks);

// The member `key` of a JSON object, or nullptr when `object` is not an object or lacks it.
const nlohmann::json* json_member(const nlohmann::json& object, const std::string& key);

}  // namespace mctl::templates
