#pragma once
// What `mctl dns lookup` and `mctl dns app` ask and show: the resolver chosen from the
// configuration, the questions for a name or a batch file, and the answers as a table or a
// JSON document (cli/cmd_dns.cpp prints them).
#include <chrono>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/http.hpp"
#include "core/settings.hpp"
#include "dns/app.hpp"
#include "dns/resolver.hpp"

namespace mctl::dns {

// The resolver and what keeps it alive (the HTTP client of the HTTP API).
struct Backend {
  std::unique_ptr<core::http::HttpClient> client;
  std::unique_ptr<Resolver> resolver;
};

// The Mesos-DNS HTTP API (mesos_dns_http) when `http` is asked for or no DNS server is
// configured, else DNS to mesos_dns (over TCP with `tcp`). `timeout` is the deadline per name.
// Error (usage) when neither is configured.
Backend connect(const core::DnsSettings& settings, bool http, bool tcp, std::chrono::milliseconds timeout);

// Questions for one name: type "auto" asks SRV for "_service._proto..." names, else A; "ANY"
// asks both. Error (usage) for an empty name, a Marathon app id, a bad name or type.
std::vector<Question> questions_for(const std::string& name, std::string type);

// Every "NAME [TYPE]" line of the file `source` ("-": `in`); blank lines and '#' comments are
// skipped, TYPE defaults to `default_type`. Error (usage) naming "FILE:LINE" (or "stdin:LINE")
// for a bad line, an unreadable file or a file without names.
std::vector<Question> read_batch(const std::string& source, std::istream& in, const std::string& default_type);

// Why a name has no records, with a hint on what Mesos-DNS names look like.
std::string no_records_message(const std::string& name, const std::string& detail);
// "; Mesos-DNS names look like ..." for a bare app name, else "".
std::string naming_hint(const std::string& name);

// Rows as columns two spaces apart, trailing blanks dropped, one line each.
std::string table(const std::vector<std::vector<std::string>>& rows);

// The answers of a lookup sorted by name and type: a NAME TYPE IP PORT TARGET table, or with
// `short_output` one IP (A) or IP:PORT (SRV) a line. "" when there is no record.
std::string answers_text(const std::vector<Answer>& answers, bool short_output);
// {"server", "results": [{"name", "type", "status", "records", "detail"?}]}.
nlohmann::json answers_json(const Resolver& resolver, const std::vector<Answer>& answers);

// `mctl dns app`: the task table and the names with their state.
std::string app_text(const Resolver& resolver, const AppReport& report);
// {"app", "server", "tasks", "names"}.
nlohmann::json app_json(const Resolver& resolver, const AppReport& report);

// Throws the command's error when the report has nothing to show: not one asked name
// answered (the most serious failure, with its exit code) or no records at all (Exit 8).
void check_app_found(const Resolver& resolver, const AppReport& report);

}  // namespace mctl::dns
