#include <cstdio>  // first: it defines __GLIBC__
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli/app.hpp"
#include "cli/sink.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere in C++

int main(int argc, char** argv) {
#ifdef __GLIBC__
  // A process-wide allocator setting, so here and not in a command: deploy and the operating
  // commands run a few worker threads and the event reader; glibc would give each its own
  // malloc arena, and each arena keeps what it once held. Two arenas are plenty for threads
  // that mostly wait for Marathon (bench/deploy.sh: peak RSS).
  mallopt(M_ARENA_MAX, 2);
#endif
  mctl::cli::StdinSource in;
  mctl::cli::FileSink out(stdout);
  mctl::cli::FileSink err(stderr);
  return mctl::cli::run(argc, argv, mctl::cli::environment_of(::environ), in, out, err);
}
