// Copyright annals authors.

#include "server/address.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace annals {
namespace internal {

namespace {

std::string Errno(int err) { return std::strerror(err); }

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() <= 5 && s.find_first_not_of("0123456789") == std::string::npos;
}

Status BadAddress(const std::string& text, const std::string& why) {
  return Status::InvalidArgument("invalid address '" + text + "': " + why +
                                 " (expected unix:PATH, HOST:PORT, [IPV6]:PORT or PORT)");
}

bool IsSocket(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

std::string AbsolutePath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) != nullptr) return buf;
  return path;
}

// Resolves a TCP address (numeric or by name).
Result<addrinfo*> Resolve(const Address& a, bool passive) {
  addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (passive) hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(a.port);
  const int rc = ::getaddrinfo(a.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    return Status::Unavailable("cannot resolve '" + a.host + "': " + ::gai_strerror(rc));
  }
  return res;
}

sockaddr_un UnixSockaddr(const std::string& path) {
  sockaddr_un sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.data(), std::min(path.size(), sizeof(sa.sun_path) - 1));
  return sa;
}

}  // namespace

std::string Address::ToString() const {
  if (kind == kUnix) return "unix:" + path;
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<Address> ParseAddress(const std::string& text) {
  Address a;
  if (text.rfind("unix:", 0) == 0) {
    a.kind = Address::kUnix;
    a.path = text.substr(5);
    if (a.path.empty()) return BadAddress(text, "no socket path");
    if (a.path.size() > kMaxUnixPath) {
      return BadAddress(text, "a Unix socket path holds at most 107 bytes, this one " +
                                  std::to_string(a.path.size()));
    }
    return a;
  }
  a.kind = Address::kTcp;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos || text.compare(close, 2, "]:") != 0) {
      return BadAddress(text, "an IPv6 address is written [ADDR]:PORT");
    }
    a.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos) {
      port = text;
    } else {
      a.host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (a.host.find(':') != std::string::npos) {
        return BadAddress(text, "an IPv6 address is written [ADDR]:PORT");
      }
    }
  }
  if (a.host.empty()) a.host = "127.0.0.1";
  if (!AllDigits(port) || std::stoul(port) > 65535) {
    return BadAddress(text, "the port must be a number from 0 to 65535");
  }
  a.port = static_cast<uint16_t>(std::stoul(port));
  return a;
}

std::string ServeDir(const std::string& store) { return store + "/serve"; }
std::string RecordPath(const std::string& store) { return ServeDir(store) + "/record"; }

Result<ServerRecord> ReadRecord(const std::string& store) {
  const std::string path = RecordPath(store);
  std::ifstream f(path);
  if (!f) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound("no server record");
    return Status::Unavailable("cannot read '" + path + "': " + Errno(errno));
  }
  ServerRecord record;
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("pid ", 0) == 0) {
      record.pid = std::atoll(line.c_str() + 4);
    } else if (!line.empty()) {
      record.addresses.push_back(line);
    }
  }
  if (record.addresses.empty()) return Status::NotFound("empty server record");
  return record;
}

Status WriteRecord(const std::string& store, const ServerRecord& record) {
  const std::string path = RecordPath(store);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << "pid " << record.pid << "\n";
    for (const auto& a : record.addresses) f << a << "\n";
    f.close();
    if (!f) return Status::Unavailable("cannot write '" + tmp + "'");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Status::Unavailable("cannot write '" + path + "': " + Errno(err));
  }
  return Status::OK();
}

Result<std::string> StoreSocketPath(const std::string& store, std::string* fallback_dir) {
  fallback_dir->clear();
  const std::string dir = ServeDir(AbsolutePath(store));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Unavailable("cannot create '" + dir + "': " + Errno(errno));
  }
  // An existing directory (an earlier server's) is made private again.
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Status::Unavailable("cannot make '" + dir + "' private: " + Errno(errno));
  }
  const std::string path = dir + "/socket";
  if (path.size() <= kMaxUnixPath) return path;
  const char* bases[] = {std::getenv("XDG_RUNTIME_DIR"), "/tmp"};
  for (const char* base : bases) {
    if (base == nullptr || *base == '\0') continue;
    std::string templ = std::string(base) + "/annals-XXXXXX";
    if (templ.size() + 7 > kMaxUnixPath) continue;
    if (::mkdtemp(templ.data()) == nullptr) continue;  // mkdtemp makes it 0700
    *fallback_dir = templ;
    return templ + "/socket";
  }
  return Status::Unavailable("the Unix socket path '" + path + "' is longer than 107 bytes, "
                             "and no directory for a shorter one could be made in "
                             "$XDG_RUNTIME_DIR or /tmp");
}

void RemoveServerLeftovers(const std::string& store) {
  auto record = ReadRecord(store);
  if (record.ok()) {
    for (const auto& text : record->addresses) {
      auto a = ParseAddress(text);
      if (!a.ok() || a->kind != Address::kUnix || !IsSocket(a->path)) continue;
      ::unlink(a->path.c_str());
      const size_t slash = a->path.rfind('/');
      const std::string parent = slash == std::string::npos ? "" : a->path.substr(0, slash);
      const size_t base = parent.rfind('/');
      if (base != std::string::npos && parent.compare(base + 1, 7, "annals-") == 0) {
        ::rmdir(parent.c_str());  // a fallback directory: removed only when empty
      }
    }
  }
  const std::string socket = ServeDir(store) + "/socket";
  if (IsSocket(socket)) ::unlink(socket.c_str());
  ::unlink(RecordPath(store).c_str());
}

Result<int> ListenSocket(const Address& a) {
  if (a.kind == Address::kUnix) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Status::Unavailable("cannot make a socket: " + Errno(errno));
    const sockaddr_un sa = UnixSockaddr(a.path);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) != 0 ||
        ::chmod(a.path.c_str(), 0600) != 0 || ::listen(fd, 128) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::Unavailable("cannot listen on " + a.ToString() + ": " + Errno(err));
    }
    return fd;
  }
  auto res = Resolve(a, /*passive=*/true);
  if (!res.ok()) return res.status();
  addrinfo* ai = *res;
  const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                          ai->ai_protocol);
  if (fd < 0) {
    ::freeaddrinfo(ai);
    return Status::Unavailable("cannot make a socket: " + Errno(errno));
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  const int rc = ::bind(fd, ai->ai_addr, ai->ai_addrlen);
  const int err = errno;
  ::freeaddrinfo(ai);
  if (rc != 0 || ::listen(fd, 128) != 0) {
    const int e = rc != 0 ? err : errno;
    ::close(fd);
    return Status::Unavailable("cannot listen on " + a.ToString() + ": " + Errno(e));
  }
  return fd;
}

Result<int> ConnectSocket(const Address& a, bool* refused) {
  *refused = false;
  int fd = -1;
  int rc = 0;
  if (a.kind == Address::kUnix) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Status::Unavailable("cannot make a socket: " + Errno(errno));
    const sockaddr_un sa = UnixSockaddr(a.path);
    rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa));
  } else {
    auto res = Resolve(a, /*passive=*/false);
    if (!res.ok()) return res.status();
    addrinfo* ai = *res;
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      ::freeaddrinfo(ai);
      return Status::Unavailable("cannot make a socket: " + Errno(errno));
    }
    rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    ::freeaddrinfo(ai);
    if (rc != 0 && errno == EINPROGRESS) {
      // A server that does not answer within 10 s is as good as absent.
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, 10000);
      int err = ETIMEDOUT;
      socklen_t len = sizeof(err);
      if (rc == 1) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      errno = err;
      rc = err == 0 ? 0 : -1;
    }
    if (rc == 0) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
  }
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    *refused = err == ECONNREFUSED || err == ENOENT;
    return Status::Unavailable("cannot reach the annals server at " + a.ToString() + ": " +
                               Errno(err));
  }
  return fd;
}

Result<std::string> ReadToken(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::InvalidArgument("cannot read the token file '" + path + "': " + Errno(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("the token file '" + path + "' is not a regular file");
  }
  if (st.st_uid != ::geteuid()) {
    return Status::InvalidArgument("the token file '" + path + "' belongs to another user");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::InvalidArgument("the token file '" + path + "' may be read or written by "
                                   "others (mode " + mode + "); make it private: chmod 600 " +
                                   path);
  }
  std::ifstream f(path, std::ios::binary);
  std::string token;
  if (!f || !std::getline(f, token)) {
    return Status::InvalidArgument("cannot read the token file '" + path + "'");
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ' || token.back() == '\t')) {
    token.pop_back();
  }
  if (token.size() < 16) {
    return Status::InvalidArgument("the token in '" + path + "' is " +
                                   std::to_string(token.size()) + " bytes; use at least 16 "
                                   "(e.g. head -c 32 /dev/urandom | base64 > " + path + ")");
  }
  return token;
}

}  // namespace internal
}  // namespace annals
