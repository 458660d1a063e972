#pragma once
// Starts tests/servers/http_test_server.py as a child process and stops it by PID.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

class TestServer {
 public:
  explicit TestServer(std::vector<std::string> extra = {}) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    m_pid = ::fork();
    if (m_pid == 0) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      std::vector<std::string> args = {"python3", std::string(MCTL_SERVERS) + "/http_test_server.py"};
      args.insert(args.end(), extra.begin(), extra.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("python3", argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    FILE* out = ::fdopen(fds[0], "r");
    char line[512] = {};
    if (!out || !std::fgets(line, sizeof line, out)) throw std::runtime_error("test server did not start");
    std::fclose(out);
    std::string text(line);
    const std::string prefix = "listening on ";
    if (text.rfind(prefix, 0) != 0) throw std::runtime_error("unexpected test server output: " + text);
    m_where = text.substr(prefix.size());
    while (!m_where.empty() && (m_where.back() == '\n' || m_where.back() == '\r')) m_where.pop_back();
  }
  ~TestServer() { stop(); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  void stop() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGTERM);
      int status = 0;
      ::waitpid(m_pid, &status, 0);
      m_pid = -1;
    }
  }
  std::string base() const { return "http://127.0.0.1:" + m_where; }
  const std::string& where() const { return m_where; }

 private:
  pid_t m_pid = -1;
  std::string m_where;
};
