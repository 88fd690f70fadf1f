#pragma once
// Correlators of a run already on disk (`nnfield correlate`; docs/correlators.md):
// reads a network run (/trajectory/z, W, b) or a field run (/trajectory/phi, w),
// selects output rows, and computes per row and over the selected rows the width,
// structure, xi, depth, input and 2D correlators, plus time autocorrelations of the
// layer means and of the loss. Returns named arrays; the caller writes them.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "nnfield/correlators/time_autocorrelations.hpp"
#include "nnfield/io/provenance.hpp"
#include "nnfield/io/series_sink.hpp"

namespace nnfield {

// The run file cannot be used as asked: missing file or dataset, wrong shapes,
// unknown field, times not in the run. The message names the file and dataset.
class CorrelateInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `field` is a name of the observe.field choices (config_choices.hpp), `only` names of
// correlate_output_names(); both checked by correlate_run and estimate_correlate.
struct CorrelateOptions {
  std::string field = "phi";       // "phi" (neurons), "w" (weights, one field per offset), "b" (biases)
  std::vector<double> times;       // rows at these times (nearest output time within 1e-9); empty: all
  std::size_t every = 1;           // with no times: rows 0, every, 2 every, ...
  bool connected = false;          // subtract each configuration's layer width mean
  std::vector<std::string> only;   // the outputs written (--only); empty: all of them
  // Worker threads (resolved: at least 1). The selected rows' correlators and the
  // average over them are computed side by side, each in its own fixed order, so the
  // output is the same to the last bit for any thread count; the average over the rows
  // takes as long as all the rows together, so more than two threads gain little.
  unsigned threads = 1;
};

// The outputs --only selects, in file order: the correlators (the observe.correlators
// choices), "layer_mean" and "autocorrelation" (of the layer means and of the loss). One
// computed only as another's prerequisite is not written: xi needs the structure factor,
// the autocorrelation the layer means.
std::vector<std::string> correlate_output_names();

// What correlate_run will hold and write, from the run file's metadata alone (nothing
// large is read), for the resource check and the size note of `nnfield correlate`.
struct CorrelateEstimate {
  double output_bytes = 0;  // uncompressed
  double memory_bytes = 0;  // peak: the field dataset, its selected rows, the output
  std::string largest;      // the output taking the most, e.g. "2d"
  std::size_t rows = 0;     // selected rows
};
CorrelateEstimate estimate_correlate(const std::string& run_file, const CorrelateOptions& options);

struct CorrelateResult {
  std::vector<NamedArray> arrays;
  std::vector<std::pair<std::string, std::string>> attributes;  // root attributes to write
  std::vector<std::pair<std::string, std::int64_t>> integer_attributes;  // counts (M, N, K)
  Provenance source;            // the run's model text, resolved configuration and seed
  std::vector<std::string> notes;  // what was not computed and why (one line each)
};

// Throws CorrelateInputError for every problem with the run file or the options.
CorrelateResult correlate_run(const std::string& run_file, const CorrelateOptions& options);

}  // namespace nnfield
