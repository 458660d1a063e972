#include "images/tar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace mctl::images {
namespace {

constexpr std::size_t k_block = 512;

// Offsets and widths of the ustar header fields (POSIX.1-1988 / pax "ustar Interchange Format").
struct Field {
  std::size_t offset, width;
};
constexpr Field k_name{0, 100}, k_mode{100, 8}, k_uid{108, 8}, k_gid{116, 8}, k_size{124, 12},
    k_mtime{136, 12}, k_chksum{148, 8}, k_type{156, 1}, k_linkname{157, 100}, k_magic{257, 6},
    k_version{263, 2}, k_devmajor{329, 8}, k_devminor{337, 8}, k_prefix{345, 155};

// Largest value an octal field holds: width-1 digits and a NUL.
constexpr std::uint64_t octal_max(Field f) {
  return (std::uint64_t{1} << (3 * (f.width - 1))) - 1;
}

void put_text(std::string& block, Field f, std::string_view text) {
  if (text.empty()) return;  // an empty view may hold a null pointer, which memcpy must not get
  std::memcpy(block.data() + f.offset, text.data(), std::min(text.size(), f.width));
}

void put_octal(std::string& block, Field f, std::uint64_t value) {
  put_text(block, f, fmt::format("{:0{}o}", value, f.width - 1));  // the NUL is already there
}

// ustar splits a path of up to 255 bytes at a '/' into prefix (<= 155) and name (<= 100).
// Returns false when the path cannot be split so.
bool split_path(std::string_view path, std::string_view& prefix, std::string_view& name) {
  if (path.size() <= k_name.width) {
    prefix = {};
    name = path;
    return true;
  }
  // The longest prefix gives the shortest name; a directory's trailing '/' stays in the name.
  for (std::size_t cut = std::min(path.size() - 2, k_prefix.width) + 1; cut-- > 0;) {
    if (path[cut] != '/') continue;
    if (path.size() - cut - 1 > k_name.width) return false;
    prefix = path.substr(0, cut);
    name = path.substr(cut + 1);
    return true;
  }
  return false;
}

// One pax record: "<length> <key>=<value>\n", where length counts the whole record.
std::string pax_record(std::string_view key, std::string_view value) {
  const std::size_t rest = 1 + key.size() + 1 + value.size() + 1;  // ' ', '=', '\n'
  std::size_t length = rest + 1;
  while (std::to_string(length).size() + rest != length)
    length = std::to_string(length).size() + rest;
  return fmt::format("{} {}={}\n", length, key, value);
}

std::string pad(std::string_view data) {
  std::string out(data);
  out.resize((out.size() + k_block - 1) / k_block * k_block, '\0');
  return out;
}

// The ustar block itself, with fields that do not fit left for the pax header to carry.
std::string ustar_block(const TarEntry& e, std::string_view name, std::string_view prefix,
                        char type, std::uint64_t size, std::int64_t mtime) {
  std::string block(k_block, '\0');
  put_text(block, k_name, name);
  put_text(block, k_prefix, prefix);
  put_octal(block, k_mode, e.mode & 07777);
  put_octal(block, k_uid, 0);
  put_octal(block, k_gid, 0);
  put_octal(block, k_size, size);
  put_octal(block, k_mtime, static_cast<std::uint64_t>(mtime));
  block[k_type.offset] = type;
  if (e.link.size() <= k_linkname.width) put_text(block, k_linkname, e.link);
  put_text(block, k_magic, std::string_view("ustar\0", 6));
  put_text(block, k_version, "00");
  if (e.type == TarEntry::Type::char_device || e.type == TarEntry::Type::block_device) {
    put_octal(block, k_devmajor, e.dev_major);
    put_octal(block, k_devminor, e.dev_minor);
  }
  std::fill_n(block.begin() + static_cast<std::ptrdiff_t>(k_chksum.offset), k_chksum.width, ' ');
  unsigned sum = 0;
  for (const char c : block) sum += static_cast<unsigned char>(c);
  put_text(block, k_chksum, fmt::format("{:06o}", sum));  // six digits, NUL, and the space stays
  block[k_chksum.offset + 6] = '\0';
  return block;
}

// The last path component, for the name of the pax header entry ("PaxHeader/NAME", as libarchive).
std::string_view base_name(std::string_view path) {
  std::string_view trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  const auto slash = trimmed.find_last_of('/');
  return slash == std::string_view::npos ? trimmed : trimmed.substr(slash + 1);
}

}  // namespace

std::string tar_header(const TarEntry& e) {
  std::string records;
  std::string_view prefix, name;
  if (!split_path(e.path, prefix, name)) {
    records += pax_record("path", e.path);
    prefix = {};
    name = std::string_view(e.path).substr(0, k_name.width);
  }
  if (e.link.size() > k_linkname.width) records += pax_record("linkpath", e.link);
  std::uint64_t size = e.size;
  if (size > octal_max(k_size)) {
    records += pax_record("size", std::to_string(size));
    size = 0;
  }
  std::int64_t mtime = e.mtime;
  if (mtime < 0 || static_cast<std::uint64_t>(mtime) > octal_max(k_mtime)) {
    records += pax_record("mtime", std::to_string(mtime));
    mtime = 0;
  }
  std::string out;
  if (!records.empty()) {
    const std::string pax_name = fmt::format("PaxHeader/{}", base_name(e.path));
    TarEntry pax{.path = pax_name.substr(0, k_name.width), .mode = 0644};
    out += ustar_block(pax, pax.path, {}, 'x', records.size(),
                       std::clamp<std::int64_t>(e.mtime, 0, 077777777777));
    out += pad(records);
  }
  out += ustar_block(e, name, prefix, static_cast<char>(e.type), size, mtime);
  return out;
}

void TarWriter::add(TarEntry entry, std::string_view data) {
  entry.size = entry.type == TarEntry::Type::file ? data.size() : 0;
  m_out += tar_header(entry);
  m_out += data;
  m_out.resize((m_out.size() + k_block - 1) / k_block * k_block, '\0');
}

std::string TarWriter::finish() && {
  m_out.append(2 * k_block, '\0');
  return std::move(m_out);
}

}  // namespace mctl::images
