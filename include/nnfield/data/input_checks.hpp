#pragma once
// The inputs of a model beyond its own text, checked the way a run would meet them,
// before a run starts (and by `nnfield validate`): the init and data files opened and
// their shapes, types and values checked, and every [continuum] expression evaluated on
// the network's sites. Throws ConfigError naming the key, file and point.
#include "nnfield/config/config.hpp"

namespace nnfield {

void check_model_inputs(const ModelConfig& config);  // both of these:
void check_input_files(const ModelConfig& config);   // init.file, data.file: opened, shapes, values
void check_continuum_values(const ModelConfig& config);  // [continuum] expressions finite on the sites

}  // namespace nnfield
