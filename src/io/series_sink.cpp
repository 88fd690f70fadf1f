// Helpers shared by every SeriesSink user (include/nnfield/io/series_sink.hpp).
#include "nnfield/io/series_sink.hpp"

namespace nnfield {

void set_shape_attributes(SeriesSink& sink, const NetworkShape& shape) {
  sink.set_root_attribute("M", double(shape.M));
  sink.set_root_attribute("N", double(shape.N));
  sink.set_root_attribute("r", double(shape.r));
  sink.set_root_attribute("K", double(shape.K()));
}

}  // namespace nnfield
