#pragma once
// A tar stream writer for the image build context: POSIX ustar headers, with a pax extended
// header ('x') in front of an entry whose path or link target does not fit ustar's fields, whose
// size is 8 GiB or more, or whose mtime is out of ustar's range. What GNU tar, Python's tarfile
// and Docker's Go archive/tar read.
#include <cstdint>
#include <string>
#include <string_view>

namespace mctl::images {

struct TarEntry {
  enum class Type : char {
    file = '0',
    symlink = '2',
    char_device = '3',
    block_device = '4',
    directory = '5',
    fifo = '6',
  };
  std::string path;  // '/'-separated, relative; a directory gets its trailing '/' here
  Type type = Type::file;
  std::uint32_t mode = 0644;  // permission bits (07777)
  std::int64_t mtime = 0;     // seconds since the epoch
  std::uint64_t size = 0;     // bytes of data that follow (files only)
  std::string link;           // symlink target
  std::uint32_t dev_major = 0, dev_minor = 0;
};

// The header blocks of one entry (a pax header and its records first when needed, then the
// ustar header), a multiple of 512 bytes. uid/gid are 0 and the owner names empty.
std::string tar_header(const TarEntry& entry);

// Appends entries to an in-memory tar stream.
class TarWriter {
 public:
  // Header, `data` (entry.size is set from it for files) and the padding to 512 bytes.
  void add(TarEntry entry, std::string_view data = {});
  // The end-of-archive marker (two zero blocks); returns the stream.
  std::string finish() &&;

 private:
  std::string m_out;
};

}  // namespace mctl::images
