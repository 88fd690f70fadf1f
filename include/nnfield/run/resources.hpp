#pragma once
// What a run will take, estimated from its model before anything is allocated or
// written: memory, output rows and output bytes. The commands refuse (ResourceError,
// exit status 5) a run whose estimate exceeds the memory available (or --max-memory) or
// the space on the output's disk, naming the keys that make it large. The estimate is
// deliberately rough (within a small factor): it exists to turn "std::bad_alloc after
// 4 GB" and "disk full after an hour" into a message before the start.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "nnfield/config/config.hpp"

namespace nnfield {

class ResourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ResourceEstimate {
  double memory_bytes = 0;   // peak, for one run
  std::string memory_cause;  // the keys behind the largest part, with their values
  double output_rows = 0;    // rows of each time series
  double row_bytes = 0;      // bytes of one output row, all series together
  double output_bytes() const { return output_rows * row_bytes; }
};

ResourceEstimate estimate_resources(const ModelConfig& config);

struct ResourceBudget {
  double max_memory = 0;     // bytes; 0: what the machine has available now
  bool check = true;         // false: --no-resource-check
  std::string output_path;   // its disk must hold the rows; "": no disk check
  bool rows_in_memory = false;  // the rows are kept in memory (ensembles, Python)
  int copies = 1;            // runs held at once (ensemble threads)
};

// Throws ResourceError naming the keys when the estimate does not fit the budget.
void check_resources(const ModelConfig& config, const ResourceBudget& budget);

// Throws ResourceError when `bytes` of memory do not fit the budget; `cause` names the
// keys or options behind most of them. For commands whose memory is not one run's.
void check_memory(double bytes, const std::string& cause, const ResourceBudget& budget);

// Bytes of memory available to this process now: MemAvailable, or the cgroup's
// remaining limit if lower. 0 if unknown (then nothing is refused on memory).
double available_memory_bytes();

// "64G", "512M", "1.5e9", "100k" -> bytes; throws std::invalid_argument.
double parse_byte_size(const std::string& text);
std::string byte_text(double bytes);  // "1.2 GB"

}  // namespace nnfield
