// Helpers shared by every SeriesSink user (include/nnfield/io/series_sink.hpp).
#include "nnfield/io/series_sink.hpp"

namespace nnfield {

void set_shape_attributes(SeriesSink& sink, const NetworkShape& shape) {
  sink.set_root_integer("M", shape.M);
  sink.set_root_integer("N", shape.N);
  sink.set_root_integer("r", shape.r);
  sink.set_root_integer("K", shape.K());
}

void set_spacing_attributes(SeriesSink& sink, const NetworkShape& shape, double Lx, double Ly) {
  sink.set_root_attribute("ax", Lx / shape.M);
  sink.set_root_attribute("ay", Ly / shape.N);
}

}  // namespace nnfield
