// Runs a model through nnfield's C++ API and reads the run file back:
//   consumer MODEL OUTPUT
// Exit 0 when the run completed and its file holds a finite loss series with one row per
// output row; anything else prints why and exits 1.
#include <cmath>
#include <cstdio>
#include <string>

#include "nnfield/config/config.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/io/provenance.hpp"
#include "nnfield/run/run.hpp"

namespace {

int failed(const std::string& why) {
  std::fprintf(stderr, "consumer: %s\n", why.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return failed("usage: consumer MODEL OUTPUT");
  if (nnfield::version() != NNFIELD_PACKAGE_VERSION)
    return failed("library version " + nnfield::version() + " is not the package's " + NNFIELD_PACKAGE_VERSION);
  try {
    const nnfield::ModelConfig config = nnfield::load_model_file(argv[1], {"dynamics.t_end=2"});
    nnfield::RunOptions options;
    options.output_path = argv[2];
    options.progress = "off";
    options.command_line = "consumer";
    const nnfield::RunResult result = nnfield::run_model(config, options);
    if (result.status != nnfield::RunStatus::complete) return failed("run did not complete: " + result.message);

    const nnfield::Array loss = nnfield::h5_read(argv[2], "/trajectory/train_loss");
    if (long(loss.size()) != result.rows)
      return failed(std::to_string(loss.size()) + " losses for " + std::to_string(result.rows) + " rows");
    for (double l : loss.data)
      if (!std::isfinite(l)) return failed("a loss is not finite");
    const std::string status = nnfield::h5_read_string_attribute(argv[2], "/", "status");
    if (status != "complete") return failed("file status '" + status + "'");
    std::printf("nnfield %s: %ld rows, train_loss %.6g -> %.6g\n", nnfield::version().c_str(), result.rows,
                loss.data.front(), loss.data.back());
  } catch (const std::exception& e) {
    return failed(e.what());
  }
  return 0;
}
