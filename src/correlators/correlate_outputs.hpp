#pragma once
// What `nnfield correlate` reads and writes, shared by its computation (correlate_run.cpp)
// and its up-front estimate (correlate_outputs.cpp).
#include <string>
#include <vector>

#include "nnfield/config/config_choices.hpp"

namespace nnfield {

// The outputs --only selected (all when it is empty).
struct OutputSelection {
  std::vector<Correlator> correlators;  // computed and written
  bool layer_mean = true;               // written (always computed: the autocorrelation needs it)
  bool autocorrelation = true;
};
// Throws CorrelateInputError for a name correlate_output_names() does not have.
OutputSelection select_outputs(const std::vector<std::string>& only);

ObservedField field_option(const std::string& field);
// The dataset holding `field` in a run file (a field run's phi/w, or a network's z/W, b);
// CorrelateInputError when there is none.
std::string field_dataset(const std::string& file, ObservedField field);

}  // namespace nnfield
