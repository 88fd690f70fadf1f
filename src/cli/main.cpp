// nnfield command line. Subcommands register themselves (commands.hpp): run,
// validate, keys, ... Errors of every kind end in one line on stderr and a
// status from the table in commands.hpp.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <new>
#include <stdexcept>

#include "argument_suggestions.hpp"
#include "commands.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/io/provenance.hpp"
#include "nnfield/numerics/expression.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/run/resources.hpp"
#include "nnfield/run/run.hpp"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
  g_stop.store(true);
  // A second signal kills at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGHUP, SIG_DFL);
}

// Messages from libraries may span lines; the user gets one.
std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

// Runs the chosen command and turns every exception into its exit status (commands.hpp).
int run_reporting_errors(const std::vector<nnfield::cli::Command>& commands) {
  using nnfield::cli::fail;
  try {
    for (const auto& c : commands)
      if (c.subcommand->parsed()) return c.run();
  } catch (const nnfield::ConfigError& e) {
    return fail(2, one_line(e.what()));
  } catch (const nnfield::ExpressionError& e) {
    return fail(2, one_line(e.what()));
  } catch (const nnfield::H5Error& e) {
    return fail(4, one_line(e.what()));
  } catch (const std::filesystem::filesystem_error& e) {
    return fail(4, one_line(e.what()));
  } catch (const nnfield::ResourceError& e) {
    return fail(5, one_line(e.what()));
  } catch (const std::bad_alloc&) {
    return fail(5, "out of memory: the run needs more than this machine has; lower the counts of the model "
                   "(network.M, network.N, data.samples, ...) or see --max-memory");
  } catch (const std::length_error& e) {
    return fail(5, "out of memory: a size beyond what can be allocated (" + one_line(e.what()) + ")");
  } catch (const nnfield::SetupInterrupted& e) {
    return fail(130, e.what());
  } catch (const std::invalid_argument& e) {
    return fail(2, one_line(e.what()));
  } catch (const std::exception& e) {
    return fail(1, "internal error (please report): " + one_line(e.what()));
  }
  return 0;
}

}  // namespace

// A closed terminal (SIGHUP) stops a run as Ctrl-C does: the file keeps its rows and
// says "interrupted", instead of dying with status "running".
static void install_stop_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGHUP, on_signal);
}

int main(int argc, char** argv) {
  using namespace nnfield::cli;
  // First thing: under mpirun a signal forwarded to every process may reach one that is
  // still starting (a loaded machine), and the default action would kill it, and with it
  // the others before process 0 writes what completed. Again after MPI has started, in
  // case it installed handlers of its own.
  install_stop_handlers();
  nnfield::processes::start(argc, argv);
  install_stop_handlers();
  // MPI ends with every return from main (help, parse errors, results).
  struct EndProcesses {
    ~EndProcesses() { nnfield::processes::finish(); }
  } end_processes;
  CLI::App app{"nnfield: lattice field theory of neural-network training"};
  app.require_subcommand(1);
  app.footer("`nnfield COMMAND --help` lists a command's options; -q/--quiet silences every command's progress.\n"
             "Exit status: 0 ok, 1 internal error, 2 bad input, 3 the run blew up, 4 output error,\n"
             "5 not enough memory or disk, 130 interrupted. Bash completion: source <(nnfield completion bash).");
  // CLI11 prints it and exits 0 before checking for a subcommand; help2man reads it for the man page.
  app.set_version_flag("--version", nnfield::version_report());
  Context context;
  for (int i = 0; i < argc; ++i) context.command_line += (i ? " " : "") + std::string(argv[i]);
  context.stop = &g_stop;

  std::vector<Command> commands;
  for (const auto& registration : registry()) commands.push_back(registration(app, context));

  // CLI11's messages, on one line like every other error.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "nnfield: " + one_line(e.what()) + "; see nnfield --help\n";
  });
  if (auto unknown = unknown_argument(app, argc, argv)) return fail(2, *unknown);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  const int status = run_reporting_errors(commands);
  // Under mpirun, a process that failed before the shared work (process 0 refusing the
  // output, say) leaves the others waiting for it: end them all with its status. After
  // it (an interrupted ensemble written, exit 130) nobody waits.
  if (status != 0 && nnfield::processes::count() > 1 && !nnfield::processes::shared_work_done())
    nnfield::processes::abort_all(status);
  return status;
}
