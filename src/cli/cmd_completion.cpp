// nnfield completion bash: print the shell completion script (bash_completion.hpp),
// generated from the option tables the parser itself uses, so it never goes stale.
#include <iostream>

#include "bash_completion.hpp"
#include "commands.hpp"

namespace nnfield::cli {
namespace {

Command register_completion(CLI::App& app, const Context&) {
  auto args = std::make_shared<CommonArgs>();
  auto shell = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand(
      "completion", "print a shell completion script: source <(nnfield completion bash)");
  sub->add_option("shell", *shell, "the shell")->required()->check(CLI::IsMember({"bash"}));
  // The script is what completion exists to print: --quiet (taken by every command) keeps it.
  add_common_options(*sub, *args, {CommonOption::quiet});
  // The app outlives every command (main.cpp): the script describes all of them, this one too.
  const CLI::App* root = &app;
  return {sub, [root, args, shell]() {
            std::cout << bash_completion_script(*root);
            return 0;
          }};
}

const bool registered = add_command(register_completion);

}  // namespace
}  // namespace nnfield::cli
