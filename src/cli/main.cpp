// nnfield command line. Subcommands register themselves (commands.hpp): run,
// validate, keys, ... Errors of every kind end in one line on stderr and a
// status from the table in commands.hpp.
#include <atomic>
#include <csignal>

#include "commands.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/io/h5io.hpp"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
  g_stop.store(true);
  // A second Ctrl-C kills at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace nnfield::cli;
  CLI::App app{"nnfield: lattice field theory of neural-network training"};
  app.require_subcommand(1);
  Context context;
  for (int i = 0; i < argc; ++i) context.command_line += (i ? " " : "") + std::string(argv[i]);
  context.stop = &g_stop;

  std::vector<Command> commands;
  for (const auto& registration : registry()) commands.push_back(registration(app, context));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    for (const Command& c : commands)
      if (c.subcommand->parsed()) return c.run();
  } catch (const nnfield::ConfigError& e) {
    return fail(2, e.what());
  } catch (const nnfield::H5Error& e) {
    return fail(4, e.what());
  } catch (const std::exception& e) {
    return fail(1, e.what());
  }
  return 0;
}
