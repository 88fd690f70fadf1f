// HDF5 input/output: run files written row by row, the initial-state and data-file
// formats, and the one-line error messages users see for bad inputs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sched.h>
#include <sys/mount.h>
#endif

#include "nnfield/io/h5io.hpp"
#include "nnfield/io/provenance.hpp"

namespace fs = std::filesystem;
using namespace nnfield;

namespace {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    m_path = fs::temp_directory_path() /
             ("nnfield_h5io_" + std::to_string(stamp) + "_" + std::to_string(rd()) + "_" +
              std::to_string(counter++));
    fs::create_directories(m_path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  std::string file(const std::string& name) const { return (m_path / name).string(); }

 private:
  fs::path m_path;
};

Provenance test_provenance() {
  Provenance p;
  p.model_text = "[network]\nM = 2\nN = 3\nr = 1\n";
  p.model_path = "models/tiny.toml";
  p.resolved_toml = "[network]\nM = 2\nN = 3\nr = 1\n[run]\nseed = 42\n";
  p.seed = 42;
  p.command_line = "nnfield run models/tiny.toml";
  p.build = collect_build_provenance();
  return p;
}

// The message of the H5Error thrown by f (fails the test if none is thrown).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const H5Error& e) {
    return e.what();
  }
  FAIL("expected an H5Error");
  return "";
}

// A file holding the given datasets (no other checks), for feeding readers bad input.
struct Dataset {
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<double> data;
};
void write_raw(const std::string& path, const std::vector<Dataset>& sets) {
  // Every axis its own dimension (docs/output-schema.md, "Dimensions"), so that shapes
  // that disagree, which these files exist for, do not clash.
  static const char* const labels[] = {"M", "N", "D", "Q", "S", "P", "L", "M1", "M2", "M-1", "nx-1", "stencil",
                                       "L-1", "L-2", "quantity", "lag", "T+1", "1"};
  std::size_t next = 0;
  RunWriter w(path, true, Provenance{});
  for (const auto& d : sets) {
    std::string order = d.shape.empty() ? "scalar" : "";
    for (std::size_t i = 0; i < d.shape.size(); ++i) order += (i ? "," : "") + std::string(labels[next++]);
    w.write_array(d.name, d.shape, d.data.data(), order, "test data");
  }
  w.finish("complete");
}

std::vector<double> iota(std::size_t n, double start = 0.0) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = start + 0.5 * double(i);
  return v;
}

// "YYYY-MM-DDTHH:MM:SSZ"
bool is_utc_timestamp(const std::string& s) {
  const std::string pattern = "dddd-dd-ddTdd:dd:ddZ";
  if (s.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool ok = pattern[i] == 'd' ? std::isdigit(static_cast<unsigned char>(s[i])) != 0
                                      : s[i] == pattern[i];
    if (!ok) return false;
  }
  return true;
}

// "1.2.3": three dot-separated non-empty runs of digits.
bool is_dotted_version(const std::string& s) {
  int dots = 0;
  bool digit_before = false;
  for (char c : s) {
    if (c == '.') {
      if (!digit_before) return false;
      ++dots;
      digit_before = false;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      digit_before = true;
    } else {
      return false;
    }
  }
  return dots == 2 && digit_before;
}

bool has_python_h5py() {
  if (!fs::exists("/usr/bin/python3")) return false;
  return std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") == 0;
}

// Runs a Python snippet (single quotes not allowed) with the file path as sys.argv[1].
int run_python(const std::string& code, const std::string& path) {
  const std::string cmd = "/usr/bin/python3 -c '" + code + "' '" + path + "'";
  return std::system(cmd.c_str());
}

// fork() with nothing buffered: what is buffered would be written twice, by parent and child.
pid_t fork_unbuffered() {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  return fork();
}

}  // namespace

TEST_CASE("build provenance has the documented keys", "[h5io][provenance]") {
  const auto build = collect_build_provenance();
  for (const char* key : {"git_hash", "build_type", "nnfield_version", "compiler", "eigen_version",
                          "boost_version", "cxx_standard"}) {
    INFO(key);
    REQUIRE(build.count(key) == 1);
    CHECK(!build.at(key).empty());
  }
  CHECK(is_dotted_version(build.at("eigen_version")));
  CHECK(is_dotted_version(build.at("boost_version")));
  CHECK(std::stol(build.at("cxx_standard")) >= 201703L);
  CHECK(is_utc_timestamp(utc_timestamp()));
}

TEST_CASE("a run file round-trips series, attributes and status", "[h5io]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  const std::size_t M = 2, N = 3, K = 3, T = 5;
  Provenance prov = test_provenance();
  prov.model_text = std::string(100000, 'x') + "\nend";  // beyond the 64 KiB header limit
  {
    RunWriter w(path, false, prov);
    CHECK(w.path() == path);
    // Readable, with status "running", while the writer still has it open.
    CHECK(h5_read_string_attribute(path, "/", "status") == "running");

    const int t = w.add_series("/trajectory/time", {}, "T", "time");
    const int W = w.add_series("trajectory/W", {M, N, K}, "T,M,N,K", "weights");
    const int z = w.add_series("/trajectory/z", {M, N}, "T,M,N", "z^(1..M)");
    for (std::size_t s = 0; s < T; ++s) {
      const double time = 0.1 * double(s);
      w.append(t, &time);
      const auto wrow = iota(M * N * K, 100.0 * double(s));
      w.append(W, wrow.data());
      const auto zrow = iota(M * N, -double(s));
      w.append(z, zrow.data());
    }
    CHECK(w.rows(t) == T);
    CHECK(w.rows(W) == T);
    const std::vector<double> grid{0.0, 0.25, 0.5};
    w.write_array("/grid/x", {3}, grid.data(), "L", "a grid");
    w.set_root_attribute("gamma", 0.5);
    w.set_root_attribute("note", "first");
    w.set_root_attribute("note", "second");           // overwrite string with string
    w.set_root_attribute("gamma", std::string("half"));  // and a double with a string
    w.flush();
    w.finish("complete");
  }

  CHECK(h5_read_string_attribute(path, "/", "status") == "complete");
  CHECK(h5_read_string_attribute(path, "/", "model_text") == prov.model_text);
  CHECK(h5_read_string_attribute(path, "/", "model_path") == prov.model_path);
  CHECK(h5_read_string_attribute(path, "/", "resolved_config") == prov.resolved_toml);
  CHECK(h5_read_string_attribute(path, "/", "command_line") == prov.command_line);
  CHECK(h5_read_double_attribute(path, "/", "seed") == 42.0);
  CHECK(h5_read_string_attribute(path, "/", "seed_string") == "42");
  CHECK(is_utc_timestamp(h5_read_string_attribute(path, "/", "created")));
  CHECK(is_utc_timestamp(h5_read_string_attribute(path, "/", "finished")));
  CHECK(is_dotted_version(h5_read_string_attribute(path, "/", "hdf5_version")));
  for (const auto& [key, value] : prov.build) {
    INFO(key);
    CHECK(h5_read_string_attribute(path, "/", key) == value);
  }
  CHECK(h5_read_string_attribute(path, "/", "note") == "second");
  CHECK(h5_read_string_attribute(path, "/", "gamma") == "half");

  const Array time = h5_read(path, "/trajectory/time");
  CHECK(time.shape == std::vector<std::size_t>{T});
  CHECK(time.data[3] == Approx(0.3));
  const Array Wt = h5_read(path, "/trajectory/W");
  CHECK(Wt.shape == std::vector<std::size_t>{T, M, N, K});
  for (std::size_t s = 0; s < T; ++s)
    for (std::size_t j = 0; j < M * N * K; ++j)
      REQUIRE(Wt.data[s * M * N * K + j] == 100.0 * double(s) + 0.5 * double(j));
  const Array zt = h5_read(path, "trajectory/z");
  CHECK(zt.shape == std::vector<std::size_t>{T, M, N});
  CHECK(zt.data[4 * M * N + 1] == -4.0 + 0.5);
  CHECK(h5_read_string_attribute(path, "/trajectory/W", "index_order") == "T,M,N,K");
  CHECK(h5_read_string_attribute(path, "/trajectory/W", "description") == "weights");
  CHECK(h5_read_string_attribute(path, "/trajectory/time", "index_order") == "T");
  CHECK(h5_read_string_attribute(path, "/grid/x", "index_order") == "L");
  CHECK(h5_read(path, "/grid/x").data == std::vector<double>{0.0, 0.25, 0.5});

  CHECK(h5_has(path, "/trajectory/W"));
  CHECK(h5_has(path, "trajectory/W"));
  CHECK_FALSE(h5_has(path, "/trajectory"));            // a group, not a dataset
  CHECK_FALSE(h5_has(path, "/trajectory/nothing"));
  CHECK_FALSE(h5_has(path, "/no/such/group/dataset"));  // missing intermediate group
}

TEST_CASE("a run file is not overwritten without force", "[h5io]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  {
    RunWriter w(path, false, test_provenance());
    const int t = w.add_series("/trajectory/time", {}, "T", "time");
    const double v = 1.0;
    w.append(t, &v);
    w.finish("complete");
  }
  CHECK(error_of([&] { RunWriter w(path, false, test_provenance()); }) ==
        path + ": exists (use --force to overwrite)");
  CHECK(h5_read(path, "/trajectory/time").data.size() == 1);  // untouched

  {
    RunWriter w(path, true, test_provenance());
    w.finish("complete");
  }
  CHECK_FALSE(h5_has(path, "/trajectory/time"));  // truncated: a fresh file
  CHECK(h5_read_string_attribute(path, "/", "status") == "complete");
}

TEST_CASE("a run writer destroyed without finish leaves a readable interrupted file",
          "[h5io]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  {
    RunWriter w(path, false, test_provenance());
    w.add_series("/trajectory/time", {}, "T", "time");  // the time coordinate first
    const int loss = w.add_series("/trajectory/loss", {}, "T", "loss");
    const int b = w.add_series("/trajectory/b", {2, 4}, "T,M,N", "biases");
    for (int s = 0; s < 7; ++s) {
      const double l = 1.0 / (1.0 + s);
      w.append(loss, &l);
      if (s < 6) {  // a run killed between two appends of one step
        const auto row = iota(8, double(s));
        w.append(b, row.data());
      }
      if (s % 3 == 2) w.flush();
    }
  }
  CHECK(h5_read_string_attribute(path, "/", "status") == "interrupted");
  const Array loss = h5_read(path, "/trajectory/loss");
  CHECK(loss.shape == std::vector<std::size_t>{7});
  CHECK(loss.data[6] == Approx(1.0 / 7.0));
  CHECK(h5_read(path, "/trajectory/b").shape == std::vector<std::size_t>{6, 2, 4});
}

TEST_CASE("a run that exits without unwinding, or is killed, leaves a readable file",
          "[h5io]") {
  // exit(): the writer's destructor never runs, the exit hook closes the file.
  // SIGKILL: nothing runs; the file holds what the last flush wrote.
  const bool killed = GENERATE(false, true);
  INFO((killed ? "killed" : "exit()"));
  TempDir dir;
  const std::string path = dir.file("run.h5");
  const pid_t child = fork_unbuffered();
  REQUIRE(child >= 0);
  if (child == 0) {
    RunWriter w(path, false, test_provenance());
    w.add_series("/trajectory/time", {}, "T", "time");  // the time coordinate first
    const int loss = w.add_series("/trajectory/loss", {}, "T", "loss");
    for (int s = 0; s < 10; ++s) {
      const double l = double(s);
      w.append(loss, &l);
      if (s == 5) w.flush();  // rows 0..5 flushed; 6..9 only in memory
    }
    if (killed) raise(SIGKILL);
    std::exit(3);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  if (killed) {
    CHECK(WIFSIGNALED(status));
    CHECK(h5_read_string_attribute(path, "/", "status") == "running");
    CHECK(h5_read(path, "/trajectory/loss").data ==
          std::vector<double>{0.0, 1.0, 2.0, 3.0, 4.0, 5.0});
  } else {
    CHECK(WIFEXITED(status));
    CHECK(h5_read_string_attribute(path, "/", "status") == "interrupted");
    CHECK(h5_read(path, "/trajectory/loss").shape == std::vector<std::size_t>{10});
  }
}

TEST_CASE("run writer usage errors", "[h5io]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  RunWriter w(path, false, test_provenance());
  const int t = w.add_series("/trajectory/time", {}, "T", "time");
  CHECK(error_of([&] { w.add_series("/trajectory/time", {}, "T", "again"); }) ==
        path + ": dataset '/trajectory/time' already exists");
  CHECK(error_of([&] { w.add_series("/bad", {3, 0}, "T,A,B", "zero"); }).find("zero") !=
        std::string::npos);
  const double v = 0.0;
  CHECK(error_of([&] { w.append(7, &v); }) == path + ": no time series with handle 7");
  w.finish("failed: test");
  CHECK(h5_read_string_attribute(path, "/", "status") == "failed: test");
  CHECK(error_of([&] { w.append(t, &v); }) == path + ": run file already closed");
  CHECK(error_of([&] { w.finish("complete"); }) == path + ": run file already closed");
}

TEST_CASE("unwritable run file paths are one-line errors", "[h5io]") {
  TempDir dir;
  const std::string missing_dir = dir.file("no_such_dir/run.h5");
  const std::string msg = error_of([&] { RunWriter w(missing_dir, false, test_provenance()); });
  CHECK(msg.rfind(missing_dir + ": cannot create", 0) == 0);
  CHECK(msg.find('\n') == std::string::npos);

  const std::string directory = dir.file("");
  CHECK(!error_of([&] { RunWriter w(directory, true, test_provenance()); }).empty());

  // A read-only directory (meaningless when running as root, which ignores modes).
  const fs::path ro = dir.file("readonly");
  fs::create_directories(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  const bool writable_anyway = std::ofstream((ro / "probe").string()).good();
  if (!writable_anyway) {
    const std::string p = (ro / "run.h5").string();
    const std::string m = error_of([&] { RunWriter w(p, false, test_provenance()); });
    CHECK(m.rfind(p + ": cannot create", 0) == 0);
  }
  fs::permissions(ro, fs::perms::owner_all);
}

TEST_CASE("a device or pipe is never replaced by a run file, even with force", "[h5io]") {
  if (!fs::exists("/dev/full")) {
    WARN("no /dev/full: skipped");
    return;
  }
  const std::string msg = error_of([] { RunWriter w("/dev/full", true, test_provenance()); });
  CHECK(msg == "/dev/full: exists and is not a regular file (a pipe or device?); refusing to replace it");
  CHECK(fs::is_character_file("/dev/full"));
}

TEST_CASE("a second writer of one path is refused while the first writes", "[h5io]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  {
    RunWriter first(path, false, test_provenance());
    // flock conflicts between two open files even in one process: this is what a second
    // nnfield writing the same path meets.
    CHECK(error_of([&] { RunWriter second(path, true, test_provenance()); }) ==
          path + ": is being written by another process (lock " + dir.file(".run.h5.lock") + ")");
    first.finish("complete");
  }
  CHECK(h5_read_string_attribute(path, "/", "status") == "complete");
  CHECK_FALSE(fs::exists(dir.file(".run.h5.lock")));  // released and removed
  RunWriter again(path, true, test_provenance());  // the lock is free again
  again.finish("complete");
}

TEST_CASE("a run file appears under its name only with its header complete", "[h5io]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  {
    RunWriter w(path, false, test_provenance());
    CHECK(fs::exists(path));
    for (const auto& entry : fs::directory_iterator(dir.file("")))
      CHECK(entry.path().extension() != ".tmp");
    w.finish("complete");
  }
  CHECK(h5_read_string_attribute(path, "/", "status") == "complete");
}

namespace {

// What happens when a run fills the disk: the first error, the error of a write
// attempted after it, whether finish() threw, and what a reader then finds.
struct FullDiskOutcome {
  std::string first_error = "no error";
  std::string later_error = "no error";
  std::string finish = "returned";
  std::size_t flushed_rows = 0;
  std::string status = "unread";
  std::size_t rows_read = 0;
  bool values_ok = false;
  std::string read_error;
};

FullDiskOutcome fill_disk(const std::string& path, bool flush_every_row) {
  FullDiskOutcome out;
  {
    const std::vector<double> row(64 * 64, 1.0);
    RunWriter w(path, false, test_provenance());
    w.add_series("/trajectory/time", {}, "T", "time");  // the time coordinate first
    const int W = w.add_series("/trajectory/W", {64, 64}, "T,M,N", "32 KiB rows");
    w.flush();
    try {
      for (int s = 0; s < 100000; ++s) {
        w.append(W, row.data());
        if (flush_every_row || s % 10 == 9) {
          w.flush();
          out.flushed_rows = w.rows(W);
        }
      }
    } catch (const H5Error& e) {
      out.first_error = e.what();
    }
    try {
      w.append(W, row.data());
    } catch (const H5Error& e) {
      out.later_error = e.what();
    }
    try {
      w.finish("failed: disk full");
    } catch (const H5Error& e) {
      out.finish = e.what();
    }
  }
  try {
    out.status = h5_read_string_attribute(path, "/", "status");
    const Array W = h5_read(path, "/trajectory/W");
    out.rows_read = W.shape.at(0);
    out.values_ok = std::all_of(W.data.begin(), W.data.end(), [](double v) { return v == 1.0; });
  } catch (const H5Error& e) {
    out.read_error = e.what();
  }
  return out;
}

void check_full_disk_outcome(const FullDiskOutcome& out, const std::string& path) {
  CHECK(out.first_error.rfind(path + ": cannot write", 0) == 0);
  CHECK(out.first_error.find("disk full?") != std::string::npos);
  CHECK(out.later_error.find("cannot write after an earlier write failure") != std::string::npos);
  CHECK(out.finish == "returned");
  // The file is as it was after the last successful flush.
  CHECK(out.read_error.empty());
  CHECK(out.status == "running");
  CHECK(out.rows_read == out.flushed_rows);
  CHECK(out.values_ok);
}

// Mounts a 2 MiB tmpfs on `dir` in a private mount namespace of this (child)
// process; an empty string on success, else why not.
std::string mount_small_tmpfs(const std::string& dir) {
#if !defined(__linux__)
  (void)dir;
  return "mount namespaces are Linux only";
#else
  const uid_t uid = geteuid();
  const gid_t gid = getegid();
  if (uid != 0) {
    // An unprivileged user may mount a tmpfs inside a user namespace of its own.
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return "unshare(user+mount namespace) refused";
    std::ofstream("/proc/self/setgroups") << "deny";
    std::ofstream("/proc/self/uid_map") << "0 " << uid << " 1";
    std::ofstream("/proc/self/gid_map") << "0 " << gid << " 1";
  } else if (unshare(CLONE_NEWNS) != 0) {
    return "unshare(mount namespace) refused";
  }
  // Keep the mount private: it must not propagate to the parent's namespace.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return "cannot make mounts private";
  if (mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=2m") != 0) return "mount tmpfs refused";
  return "";
#endif
}

}  // namespace

TEST_CASE("a full disk mid-run is an H5Error and leaves the last flushed state", "[h5io]") {
  // A real ENOSPC from a 2 MiB tmpfs mounted in a child process's private mount
  // namespace (skipped where namespaces are not allowed). The child's normal
  // exit() also checks that the failure does not crash the process at exit.
  const bool flush_every_row = GENERATE(true, false);
  INFO("flush every row: " << flush_every_row);
  TempDir dir;
  const std::string mount_point = dir.file("tiny");
  fs::create_directories(mount_point);
  const std::string path = mount_point + "/run.h5";
  const std::string report = dir.file("report.txt");
  const pid_t child = fork_unbuffered();
  REQUIRE(child >= 0);
  if (child == 0) {
    const std::string why_not = mount_small_tmpfs(mount_point);
    {
      std::ofstream out(report);
      if (!why_not.empty()) {
        out << "skip: " << why_not << "\n";
      } else {
        const FullDiskOutcome r = fill_disk(path, flush_every_row);
        out << r.first_error << "\n" << r.later_error << "\n" << r.finish << "\n"
            << r.flushed_rows << "\n" << r.status << "\n" << r.rows_read << "\n"
            << r.values_ok << "\n" << r.read_error << "\n";
      }
    }
    std::exit(0);  // not _exit: run the exit handlers as a real program would
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  // Not killed by a signal (a crash at exit). The exit code is not checked: leak
  // checkers flag HDF5's own small leak after a failed write.
  CHECK_FALSE(WIFSIGNALED(status));
  std::ifstream in(report);
  std::string line;
  std::getline(in, line);
  if (line.rfind("skip: ", 0) == 0) {
    WARN("no small file system to fill (" << line << "): skipped");
    return;
  }
  FullDiskOutcome r;
  r.first_error = line;
  std::getline(in, r.later_error);
  std::getline(in, r.finish);
  std::getline(in, line);
  r.flushed_rows = std::stoul(line);
  std::getline(in, r.status);
  std::getline(in, line);
  r.rows_read = std::stoul(line);
  std::getline(in, line);
  r.values_ok = line == "1";
  std::getline(in, r.read_error);
  check_full_disk_outcome(r, path);
}

TEST_CASE("a disk full at creation leaves nothing under the file's name", "[h5io]") {
  // The 2 MiB tmpfs of the test above, filled before the writer starts: creating the
  // file fails, and neither the run file nor its temporary is left behind (a 96-byte
  // unreadable file was, before files were created under a temporary name).
  TempDir dir;
  const std::string mount_point = dir.file("tiny");
  fs::create_directories(mount_point);
  const std::string report = dir.file("report.txt");
  const pid_t child = fork_unbuffered();
  REQUIRE(child >= 0);
  if (child == 0) {
    const std::string why_not = mount_small_tmpfs(mount_point);
    std::ofstream out(report);
    if (!why_not.empty()) {
      out << "skip: " << why_not << "\n";
    } else {
      {
        std::ofstream filler(mount_point + "/filler", std::ios::binary);
        const std::string block(4096, 'x');
        while (filler.write(block.data(), std::streamsize(block.size())) && filler.flush()) {
        }
      }
      const std::string path = mount_point + "/run.h5";
      out << error_of([&] { RunWriter w(path, false, test_provenance()); }) << "\n";
      int entries = 0;
      for (const auto& e : fs::directory_iterator(mount_point)) entries += e.path().filename() != "filler";
      out << entries << "\n";
    }
    out.close();
    std::_Exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  std::ifstream in(report);
  std::string error, entries;
  std::getline(in, error);
  if (error.rfind("skip: ", 0) == 0) {
    WARN("no small file system to fill (" << error << "): skipped");
    return;
  }
  std::getline(in, entries);
  CHECK(error.find("run.h5: cannot") != std::string::npos);
  CHECK(entries == "0");  // no run.h5, no temporary, no lock file
}

TEST_CASE("a full disk given by NNFIELD_TEST_SMALL_FS", "[h5io]") {
  // For machines where the test above is skipped, e.g. as root:
  //   mkdir /tmp/tiny && mount -t tmpfs -o size=2m tmpfs /tmp/tiny
  //   NNFIELD_TEST_SMALL_FS=/tmp/tiny nnfield_tests
  const char* small = std::getenv("NNFIELD_TEST_SMALL_FS");
  if (small == nullptr) return;
  const bool flush_every_row = GENERATE(true, false);
  INFO("flush every row: " << flush_every_row);
  const std::string path = (fs::path(small) / "nnfield_full_disk_test.h5").string();
  std::error_code ec;
  fs::remove(path, ec);
  const auto free_bytes = fs::space(small, ec).available;
  if (ec || free_bytes < 1024 * 1024 || free_bytes > 64 * 1024 * 1024) {
    WARN(small << " should have between 1 MiB and 64 MiB free: skipped");
    return;
  }
  check_full_disk_outcome(fill_disk(path, flush_every_row), path);
  fs::remove(path, ec);
}

TEST_CASE("initial state round trip", "[h5io]") {
  TempDir dir;
  NetworkShape shape;
  shape.M = 3;
  shape.N = 4;
  shape.r = 1;
  InitialState s;
  s.W = iota(shape.num_weights(), -1.0);
  s.b = iota(shape.num_biases(), 2.0);

  SECTION("without velocities") {
    const std::string path = dir.file("init.h5");
    write_initial_state(path, shape, s);
    const InitialState r = read_initial_state(path, shape);
    CHECK(r.W == s.W);
    CHECK(r.b == s.b);
    CHECK(r.Wdot.empty());
    CHECK(r.bdot.empty());
    CHECK(h5_read_string_attribute(path, "/W", "index_order") == "M,N,K");
    CHECK(h5_read(path, "/W").shape == std::vector<std::size_t>{3, 4, 3});
  }
  SECTION("with velocities") {
    const std::string path = dir.file("init_v.h5");
    s.Wdot = iota(shape.num_weights(), 5.0);
    s.bdot = iota(shape.num_biases(), 7.0);
    write_initial_state(path, shape, s);
    const InitialState r = read_initial_state(path, shape);
    CHECK(r.Wdot == s.Wdot);
    CHECK(r.bdot == s.bdot);
  }
  SECTION("writer rejects wrong sizes") {
    s.W.pop_back();
    CHECK(error_of([&] { write_initial_state(dir.file("x.h5"), shape, s); })
              .find("'/W'") != std::string::npos);
    CHECK_FALSE(fs::exists(dir.file("x.h5")));
  }
}

TEST_CASE("initial state errors name the file and dataset", "[h5io]") {
  TempDir dir;
  NetworkShape shape;
  shape.M = 4;
  shape.N = 8;
  shape.r = 2;  // K = 5
  const auto W = iota(4 * 8 * 5), b = iota(4 * 8);
  const std::string path = dir.file("init.h5");

  SECTION("wrong W shape") {
    write_raw(path, {{"/W", {4, 8, 3}, iota(4 * 8 * 3)}, {"/b", {4, 8}, b}});
    CHECK(error_of([&] { read_initial_state(path, shape); }) ==
          path + ": dataset '/W' has shape (4,8,3), expected (M,N,K) = (4,8,5)");
  }
  SECTION("wrong b shape") {
    write_raw(path, {{"/W", {4, 8, 5}, W}, {"/b", {32}, b}});
    CHECK(error_of([&] { read_initial_state(path, shape); }) ==
          path + ": dataset '/b' has shape (32), expected (M,N) = (4,8)");
  }
  SECTION("missing W") {
    write_raw(path, {{"/b", {4, 8}, b}});
    CHECK(error_of([&] { read_initial_state(path, shape); }) == path + ": missing dataset '/W'");
  }
  SECTION("missing b") {
    write_raw(path, {{"/W", {4, 8, 5}, W}});
    CHECK(error_of([&] { read_initial_state(path, shape); }) == path + ": missing dataset '/b'");
  }
  SECTION("Wdot without bdot") {
    write_raw(path, {{"/W", {4, 8, 5}, W}, {"/b", {4, 8}, b}, {"/Wdot", {4, 8, 5}, W}});
    CHECK(error_of([&] { read_initial_state(path, shape); }) ==
          path + ": has '/Wdot' but not '/bdot' (give both velocities or neither)");
  }
  SECTION("bdot without Wdot") {
    write_raw(path, {{"/W", {4, 8, 5}, W}, {"/b", {4, 8}, b}, {"/bdot", {4, 8}, b}});
    CHECK(error_of([&] { read_initial_state(path, shape); }) ==
          path + ": has '/bdot' but not '/Wdot' (give both velocities or neither)");
  }
  SECTION("wrong Wdot shape") {
    write_raw(path, {{"/W", {4, 8, 5}, W},
                     {"/b", {4, 8}, b},
                     {"/Wdot", {4, 8, 4}, iota(4 * 8 * 4)},
                     {"/bdot", {4, 8}, b}});
    CHECK(error_of([&] { read_initial_state(path, shape); }) ==
          path + ": dataset '/Wdot' has shape (4,8,4), expected (M,N,K) = (4,8,5)");
  }
  SECTION("NaN in W") {
    auto bad = W;
    bad[shape.w_index(1, 2, 3)] = std::numeric_limits<double>::quiet_NaN();
    write_raw(path, {{"/W", {4, 8, 5}, bad}, {"/b", {4, 8}, b}});
    CHECK(error_of([&] { read_initial_state(path, shape); }) ==
          path + ": dataset '/W' has a non-finite value (nan) at index (1,2,3)");
  }
  SECTION("infinity in bdot") {
    auto bad = b;
    bad[shape.b_index(3, 7)] = -std::numeric_limits<double>::infinity();
    write_raw(path,
              {{"/W", {4, 8, 5}, W}, {"/b", {4, 8}, b}, {"/Wdot", {4, 8, 5}, W}, {"/bdot", {4, 8}, bad}});
    CHECK(error_of([&] { read_initial_state(path, shape); }) ==
          path + ": dataset '/bdot' has a non-finite value (-inf) at index (3,7)");
  }
  SECTION("missing file") {
    CHECK(error_of([&] { read_initial_state(dir.file("none.h5"), shape); }) ==
          dir.file("none.h5") + ": no such file");
  }
  SECTION("not an HDF5 file") {
    std::ofstream(path) << "not hdf5\n";
    const std::string m = error_of([&] { read_initial_state(path, shape); });
    CHECK(m.rfind(path + ": cannot open as an HDF5 file", 0) == 0);
    CHECK(m.find('\n') == std::string::npos);
  }
}

TEST_CASE("data file round trip and errors", "[h5io]") {
  TempDir dir;
  const std::string path = dir.file("data.h5");
  DataFile d;
  d.S = 3;
  d.N = 4;
  d.X = iota(12, 1.0);
  d.Y = iota(12, -1.0);

  SECTION("round trip") {
    write_data_file(path, d);
    const DataFile r = read_data_file(path, 4);
    CHECK(r.S == 3);
    CHECK(r.N == 4);
    CHECK(r.X == d.X);
    CHECK(r.Y == d.Y);
    CHECK(h5_read_string_attribute(path, "/Y", "index_order") == "S,N");
  }
  SECTION("missing Y") {
    write_raw(path, {{"/X", {3, 4}, d.X}});
    CHECK(error_of([&] { read_data_file(path, 4); }) == path + ": missing dataset '/Y'");
  }
  SECTION("wrong N") {
    write_data_file(path, d);
    CHECK(error_of([&] { read_data_file(path, 5); }) ==
          path + ": dataset '/X' has shape (3,4), expected (S,N) with S >= 1 and N = 5");
  }
  SECTION("wrong rank") {
    write_raw(path, {{"/X", {12}, d.X}, {"/Y", {3, 4}, d.Y}});
    CHECK(error_of([&] { read_data_file(path, 4); }) ==
          path + ": dataset '/X' has shape (12), expected (S,N) with S >= 1 and N = 4");
  }
  SECTION("no samples") {
    write_raw(path, {{"/X", {0, 4}, {}}, {"/Y", {0, 4}, {}}});
    CHECK(error_of([&] { read_data_file(path, 4); }) ==
          path + ": dataset '/X' has shape (0,4), expected (S,N) with S >= 1 and N = 4");
  }
  SECTION("different S") {
    write_raw(path, {{"/X", {3, 4}, d.X}, {"/Y", {2, 4}, iota(8)}});
    CHECK(error_of([&] { read_data_file(path, 4); }) ==
          path + ": datasets '/X' (3,4) and '/Y' (2,4) differ in shape (both must be (S,N))");
  }
  SECTION("NaN in Y") {
    d.Y[2 * 4 + 1] = std::nan("");
    write_data_file(path, d);
    CHECK(error_of([&] { read_data_file(path, 4); }) ==
          path + ": dataset '/Y' has a non-finite value (nan) at index (2,1)");
  }
  SECTION("writer rejects inconsistent sizes") {
    d.Y.resize(11);
    CHECK(error_of([&] { write_data_file(path, d); }).find("'/Y'") != std::string::npos);
  }
}

TEST_CASE("generic readers report missing and mistyped objects", "[h5io]") {
  TempDir dir;
  const std::string path = dir.file("g.h5");
  write_raw(path, {{"/a/x", {2}, {1.0, 2.0}}, {"/n", {}, {3.0}}});
  CHECK(h5_read(path, "/n").shape.empty());
  CHECK(h5_read(path, "/n").data == std::vector<double>{3.0});
  CHECK(h5_read_int(path, "/a/x") == std::vector<long long>{1, 2});
  CHECK(error_of([&] { h5_read(path, "/a/y"); }) == path + ": missing dataset '/a/y'");
  CHECK(error_of([&] { h5_read(path, "/a"); }) == path + ": '/a' is not a dataset");
  CHECK(error_of([&] { h5_read_string_attribute(path, "/", "nope"); }) ==
        path + ": missing attribute 'nope' of '/'");
  CHECK(error_of([&] { h5_read_string_attribute(path, "/", "seed"); }) ==
        path + ": attribute 'seed' of '/' is not a string");
  CHECK(error_of([&] { h5_read_double_attribute(path, "/", "status"); }) ==
        path + ": attribute 'status' of '/' is not numeric");
  CHECK(error_of([&] { h5_read_string_attribute(path, "/zz", "status"); }) ==
        path + ": missing object '/zz'");
  CHECK(error_of([&] { h5_has(dir.file("none.h5"), "/x"); }) == dir.file("none.h5") + ": no such file");

  const std::string frac = dir.file("frac.h5");
  write_raw(frac, {{"/x", {3}, {1.0, 2.5, 3.0}}});
  CHECK(error_of([&] { h5_read_int(frac, "/x"); }) ==
        frac + ": dataset '/x' has a non-integer value at index (1)");
}

TEST_CASE("h5py reads run files and nnfield reads h5py files", "[h5io][python]") {
  if (!has_python_h5py()) {
    WARN("/usr/bin/python3 with h5py not available: skipped");
    return;
  }
  TempDir dir;
  const std::string path = dir.file("run.h5");
  Provenance prov = test_provenance();
  prov.seed = 18446744073709551557ull;  // needs all 64 bits
  {
    RunWriter w(path, false, prov);
    w.add_series("/trajectory/time", {}, "T", "time");  // the time coordinate first
    const int W = w.add_series("/trajectory/W", {2, 3, 3}, "T,M,N,K", "weights");
    const auto row = iota(18);
    w.append(W, row.data());
    w.append(W, row.data());
    w.finish("complete");
  }
  const std::string check =
      "import sys, h5py, numpy as np\n"
      "f = h5py.File(sys.argv[1], \"r\")\n"
      "a = f.attrs\n"
      "assert isinstance(a[\"status\"], str) and a[\"status\"] == \"complete\", a[\"status\"]\n"
      "assert a[\"seed\"].dtype == np.uint64 and int(a[\"seed\"]) == 18446744073709551557\n"
      "assert a[\"seed_string\"] == \"18446744073709551557\"\n"
      "assert a[\"model_text\"].startswith(\"[network]\")\n"
      "W = f[\"trajectory/W\"]\n"
      "assert W.shape == (2, 2, 3, 3) and W.maxshape[0] is None, (W.shape, W.maxshape)\n"
      "assert W.attrs[\"index_order\"] == \"T,M,N,K\"\n"
      "assert W[1, 1, 2, 0] == 0.5 * (1 * 9 + 2 * 3)\n";
  CHECK(run_python(check, path) == 0);

  // Files written by others: float32, integer and fixed-length string attributes.
  const std::string other = dir.file("other.h5");
  const std::string make =
      "import sys, h5py, numpy as np\n"
      "f = h5py.File(sys.argv[1], \"w\")\n"
      "f[\"W\"] = np.arange(4 * 8 * 5, dtype=np.float32).reshape(4, 8, 5) / 4\n"
      "f[\"b\"] = np.arange(32, dtype=np.int32).reshape(4, 8)\n"
      "f[\"steps\"] = np.array([1, 5, 9], dtype=np.int64)\n"
      "f.attrs[\"fixed\"] = np.string_(\"fixed text\")\n"
      "f.attrs[\"dt\"] = np.float32(0.25)\n"
      "f.close()\n";
  REQUIRE(run_python(make, other) == 0);
  NetworkShape shape;
  shape.M = 4;
  shape.N = 8;
  shape.r = 2;
  const InitialState s = read_initial_state(other, shape);
  CHECK(s.W[shape.w_index(1, 2, 3)] == (1 * 40 + 2 * 5 + 3) / 4.0);
  CHECK(s.b[shape.b_index(3, 7)] == 31.0);
  CHECK(h5_read_int(other, "/steps") == std::vector<long long>{1, 5, 9});
  CHECK(h5_read_string_attribute(other, "/", "fixed") == "fixed text");
  CHECK(h5_read_double_attribute(other, "/", "dt") == 0.25);
}
