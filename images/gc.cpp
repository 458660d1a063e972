#include "images/gc.hpp"

#include <fmt/format.h>

#include <atomic>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/json.hpp"
#include "core/error.hpp"
#include "images/reference.hpp"

namespace mctl::images {
namespace {

using Clock = std::chrono::system_clock;

bool selected(const std::string& repository, const std::vector<std::string>& globs) {
  if (globs.empty()) return true;
  for (const auto& g : globs) {
    if (glob_match(g, repository)) return true;
  }
  return false;
}

// Runs `work` over n items in parallel and rethrows the first error after all finished.
void parallel_or_throw(std::size_t n, int workers, const std::function<void(std::size_t)>& work) {
  std::mutex mutex;
  std::optional<Error> first;
  parallel_for(n, workers, [&](std::size_t i) {
    try {
      work(i);
    } catch (const Error& e) {
      std::lock_guard lock(mutex);
      if (!first) first = e;
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex);
      if (!first) first = Error(e.what(), Exit::remote);
    }
  });
  if (first) throw *first;
}

// The deletes' indexes taken round-robin over their repositories (first of each repository,
// then the second of each, ...), so deletes running at once mostly touch different
// repositories: a registry delete scans and changes its repository's tag directory, and
// deletes in one directory wait on each other.
std::vector<std::size_t> interleaved(const std::vector<Deletion>& deletions) {
  std::map<std::string, std::vector<std::size_t>> by_repository;
  std::vector<std::string> repositories;  // in plan order
  for (std::size_t i = 0; i < deletions.size(); ++i) {
    auto& list = by_repository[deletions[i].repository];
    if (list.empty()) repositories.push_back(deletions[i].repository);
    list.push_back(i);
  }
  std::vector<std::size_t> order;
  order.reserve(deletions.size());
  for (std::size_t round = 0; order.size() < deletions.size(); ++round) {
    for (const auto& repository : repositories) {
      const auto& list = by_repository[repository];
      if (round < list.size()) order.push_back(list[round]);
    }
  }
  return order;
}

}  // namespace

void parallel_for(std::size_t n, int workers, const std::function<void(std::size_t)>& work) {
  const std::size_t count = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(workers, 1)));
  if (count <= 1) {
    for (std::size_t i = 0; i < n; ++i) work(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::jthread> threads;
  threads.reserve(count);
  for (std::size_t t = 0; t < count; ++t) {
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < n; i = next++) work(i);
    });
  }
}

std::optional<Clock::time_point> parse_time(std::string_view text) {
  std::tm tm{};
  int consumed = 0;
  const std::string s(text);
  // Every field has a width (4 digits at most: no overflow) and the count is checked.
  // NOLINTNEXTLINE(cert-err34-c)
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  auto pos = static_cast<std::size_t>(consumed);
  std::chrono::nanoseconds fraction{0};
  if (pos < s.size() && s[pos] == '.') {
    long long scale = 100'000'000;
    for (++pos; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])); ++pos) {
      fraction += std::chrono::nanoseconds((s[pos] - '0') * scale);
      scale /= 10;
    }
  }
  long offset = 0;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int h = 0, m = 0;
    // NOLINTNEXTLINE(cert-err34-c): two digits each (no overflow), and the count is checked.
    if (std::sscanf(s.c_str() + pos + 1, "%2d:%2d", &h, &m) != 2) return std::nullopt;
    offset = (s[pos] == '-' ? -1 : 1) * (h * 3600L + m * 60L);
  } else if (pos >= s.size() || (s[pos] != 'Z' && s[pos] != 'z')) {
    return std::nullopt;
  }
  const std::time_t t = timegm(&tm) - offset;
  return Clock::from_time_t(t) + std::chrono::duration_cast<Clock::duration>(fraction);
}

std::vector<Candidate> registry_candidates(RegistryClient& registry, const std::string& host,
                                           const std::vector<std::string>& repo_globs, int workers) {
  std::vector<std::string> repositories;
  for (auto& repo : registry.repositories()) {
    if (selected(repo, repo_globs) || selected(fmt::format("{}/{}", host, repo), repo_globs)) repositories.push_back(repo);
  }
  // Phase 1: tags of every repository.
  std::vector<std::vector<std::string>> tags(repositories.size());
  parallel_or_throw(repositories.size(), workers, [&](std::size_t i) { tags[i] = registry.tags(repositories[i]); });
  struct Item {
    std::size_t repo;
    std::string tag;
    std::optional<Manifest> manifest;
  };
  std::vector<Item> items;
  for (std::size_t r = 0; r < repositories.size(); ++r) {
    for (auto& t : tags[r]) items.push_back({r, t, std::nullopt});
  }
  // Phase 2: the manifest of every tag (its digest and blobs).
  parallel_or_throw(items.size(), workers, [&](std::size_t i) {
    items[i].manifest = registry.manifest(repositories[items[i].repo], items[i].tag);
  });
  // Phase 3: the creation time from each distinct image config.
  std::map<std::pair<std::size_t, std::string>, std::optional<Clock::time_point>> created;
  for (const auto& item : items) {
    if (item.manifest && item.manifest->config_digest) created[{item.repo, *item.manifest->config_digest}];
  }
  std::vector<std::pair<std::size_t, std::string>> configs;
  configs.reserve(created.size());
  for (const auto& [key, value] : created) configs.push_back(key);
  std::vector<std::optional<Clock::time_point>> times(configs.size());
  parallel_or_throw(configs.size(), workers, [&](std::size_t i) {
    const auto body = registry.blob(repositories[configs[i].first], configs[i].second);
    try {
      times[i] = parse_time(core::parse_json(body, "image config blob", Exit::remote).value("created", ""));
    } catch (const std::exception&) {
      times[i] = std::nullopt;  // not an image config: creation time unknown, so kept
    }
  });
  for (std::size_t i = 0; i < configs.size(); ++i) created[configs[i]] = times[i];

  std::vector<Candidate> out;
  for (auto& item : items) {
    if (!item.manifest) continue;  // the tag went away while listing
    Candidate c;
    c.repository = host + "/" + repositories[item.repo];
    c.tag = item.tag;
    c.digest = item.manifest->digest;
    if (item.manifest->config_digest) c.created = created[{item.repo, *item.manifest->config_digest}];
    c.blobs = std::move(item.manifest->blobs);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Candidate> engine_candidates(DockerClient& docker, const std::vector<std::string>& repo_globs) {
  std::map<std::string, std::vector<std::string>> users;  // image id -> containers
  for (const auto& c : docker.containers()) users[c.image_id].push_back(fmt::format("{} ({})", c.name, c.state));
  std::vector<Candidate> out;
  for (const auto& image : docker.images()) {
    if (image.tags.empty()) continue;
    // The list gives whole seconds; inspect has the exact time, which orders quick builds.
    auto created = Clock::from_time_t(static_cast<std::time_t>(image.created));
    if (auto inspected = docker.inspect_image(image.id)) {
      if (auto exact = parse_time(inspected->value("Created", ""))) created = *exact;
    }
    for (const auto& ref : image.tags) {
      const auto colon = ref.rfind(':');
      if (colon == std::string::npos || ref.find('/', colon) != std::string::npos) continue;
      Candidate c;
      c.repository = ref.substr(0, colon);
      c.tag = ref.substr(colon + 1);
      if (!selected(c.repository, repo_globs)) continue;
      c.digest = image.id;
      c.created = created;
      c.blobs.push_back({image.id, static_cast<std::uint64_t>(std::max(image.size, 0LL))});
      if (auto it = users.find(image.id); it != users.end()) c.used_by = it->second;
      c.references = image.digests;
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::optional<std::string> stale_deletion(const Deletion& deletion,
                                          const std::map<std::string, std::optional<std::string>>& now) {
  for (const auto& tag : deletion.tags) {
    const auto it = now.find(tag);
    if (it == now.end() || !it->second || *it->second == deletion.digest) continue;
    return fmt::format("tag '{}' now names {}, not the planned {} (pushed since the plan)", tag, *it->second,
                       deletion.digest);
  }
  return std::nullopt;
}

std::optional<std::string> delete_if_unchanged(RegistryClient& registry, const std::string& repository,
                                               const Deletion& deletion, const std::set<std::string>& listed) {
  std::map<std::string, std::optional<std::string>> now;
  for (const auto& tag : deletion.tags) now[tag] = registry.manifest_digest(repository, tag);
  if (auto why = stale_deletion(deletion, now)) return why;
  for (const auto& tag : registry.tags(repository)) {
    if (listed.count(tag) != 0 || registry.manifest_digest(repository, tag) != deletion.digest) continue;
    return fmt::format("tag '{}' was pushed onto {} since the plan (deleting the manifest would delete it too)", tag,
                       deletion.digest);
  }
  registry.delete_manifest(repository, deletion.digest);
  return std::nullopt;
}

std::optional<std::string> untag_if_unchanged(DockerClient& engine, const Deletion& deletion) {
  const std::string& tag = deletion.tags.front();
  const std::string ref = deletion.repository + ":" + tag;
  const auto image = engine.inspect_image(ref);
  std::map<std::string, std::optional<std::string>> now;
  now[tag] = image ? std::optional(image->value("Id", "")) : std::nullopt;
  if (auto why = stale_deletion(deletion, now)) return why;
  if (image) engine.remove_image(ref);
  return std::nullopt;
}

std::vector<DeleteResult> run_deletions(const std::vector<Deletion>& deletions, int workers,
                                        const std::function<std::optional<std::string>(const Deletion&)>& remove,
                                        const std::function<void(std::size_t, std::size_t)>& progress) {
  std::vector<DeleteResult> results(deletions.size());
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  const auto order = interleaved(deletions);
  parallel_for(deletions.size(), workers, [&](std::size_t n) {
    const std::size_t i = order[n];
    results[i].deletion = deletions[i];
    try {
      if (auto why = remove(deletions[i])) {
        results[i].skipped = *why;
      } else {
        results[i].deleted = true;
      }
    } catch (const std::exception& e) {
      results[i].error = e.what();
    }
    const std::size_t now = ++done;
    std::lock_guard lock(progress_mutex);
    if (progress) progress(now, deletions.size());
  });
  return results;
}

}  // namespace mctl::images
