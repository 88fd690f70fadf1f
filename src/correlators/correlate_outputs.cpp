// The outputs of `nnfield correlate`: the names --only takes and the size estimate made
// before anything large is read (include/nnfield/correlators/correlate_run.hpp).
#include "correlators/correlate_outputs.hpp"

#include <algorithm>

#include "nnfield/config/name_suggestion.hpp"
#include "nnfield/correlators/correlate_run.hpp"
#include "nnfield/correlators/correlator_set.hpp"
#include "nnfield/io/h5io.hpp"

namespace nnfield {

namespace {

const char* const kLayerMean = "layer_mean";
const char* const kAutocorrelation = "autocorrelation";

// The choices of E as "a, b or c".
template <class E>
std::string either() {
  const std::vector<std::string>& names = choice_names<E>();
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i)
    text += (i == 0 ? "" : i + 1 < names.size() ? ", " : " or ") + names[i];
  return text;
}

std::string listed(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) text += (i == 0 ? "" : ", ") + names[i];
  return text;
}

// Selected rows of T output rows: the --times given, or rows 0, every, 2 every, ...
std::size_t selected_rows(std::size_t T, const CorrelateOptions& options) {
  if (!options.times.empty()) return options.times.size();
  if (options.every == 0) throw CorrelateInputError("--every must be >= 1");
  return (T + options.every - 1) / options.every;
}

}  // namespace

std::vector<std::string> correlate_output_names() {
  std::vector<std::string> names = choice_names<Correlator>();
  names.push_back(kLayerMean);
  names.push_back(kAutocorrelation);
  return names;
}

OutputSelection select_outputs(const std::vector<std::string>& only) {
  OutputSelection selection;
  if (only.empty()) {
    selection.correlators = all_choices<Correlator>();
    return selection;
  }
  const std::vector<std::string> names = correlate_output_names();
  selection.layer_mean = selection.autocorrelation = false;
  for (const std::string& n : only) {
    if (std::find(names.begin(), names.end(), n) == names.end()) {
      std::string what = "--only: unknown output '" + n + "'";
      if (auto s = closest_name(n, names)) what += ", did you mean '" + *s + "'?";
      throw CorrelateInputError(what + " (expected some of " + listed(names) + ")");
    }
    if (n == kLayerMean) {
      selection.layer_mean = true;
    } else if (n == kAutocorrelation) {
      selection.autocorrelation = true;
    } else {
      const Correlator c = choice_from_name<Correlator>(n);
      if (std::find(selection.correlators.begin(), selection.correlators.end(), c) == selection.correlators.end())
        selection.correlators.push_back(c);
    }
  }
  return selection;
}

ObservedField field_option(const std::string& field) {
  try {
    return choice_from_name<ObservedField>(field);
  } catch (const std::invalid_argument&) {
    throw CorrelateInputError("unknown field '" + field + "' (expected " + either<ObservedField>() + ")");
  }
}

std::string field_dataset(const std::string& file, ObservedField field) {
  std::vector<std::string> candidates;
  switch (field) {
    case ObservedField::phi: candidates = {"/trajectory/phi", "/trajectory/z"}; break;
    case ObservedField::w: candidates = {"/trajectory/w", "/trajectory/W"}; break;
    case ObservedField::b: candidates = {"/trajectory/b", "/trajectory/beta"}; break;
  }
  for (const std::string& name : candidates)
    if (h5_has(file, name)) return name;
  std::string names;
  for (const std::string& n : candidates) names += (names.empty() ? "" : " nor ") + n;
  throw CorrelateInputError(file + ": no field '" + nnfield::name(field) + "' to correlate: neither " + names +
                            " is in the file");
}

CorrelateEstimate estimate_correlate(const std::string& run_file, const CorrelateOptions& options) {
  try {
    const OutputSelection selection = select_outputs(options.only);
    const ObservedField kind = field_option(options.field);
    const std::string dataset = field_dataset(run_file, kind);
    const std::vector<std::size_t> shape = h5_shape(run_file, dataset);
    const std::size_t rank = kind == ObservedField::w ? 4 : 3;
    // A misshapen field is correlate_run's to report, naming the dataset.
    if (shape.size() != rank || shape[2] < 2) return {};
    const std::size_t T = std::min(shape[0], h5_shape(run_file, "/trajectory/time").at(0));
    const double C = rank == 4 ? double(shape[3]) : 1.0, M = double(shape[1]), N = double(shape[2]);
    CorrelateEstimate e;
    e.rows = selected_rows(T, options);
    const double R = double(e.rows), bytes = sizeof(double);
    // The shapes from the correlator table itself; the input boundary only sizes it here.
    const std::vector<double> X(shape[2]);
    const CorrelatorSet set(selection.correlators, std::size_t(C), shape[1], shape[2], MeanSubtraction::none, X.data());
    double largest = 0;
    for (const CorrelatorOutput& o : set.outputs()) {
      if (o.name == kLayerMean && !selection.layer_mean) continue;
      double n = 1;
      for (std::size_t d : o.row_shape) n *= double(d);
      const double b = bytes * n * (R + 1);  // per row, and the time average
      e.output_bytes += b;
      if (b > largest) largest = b, e.largest = o.name;
    }
    if (selection.autocorrelation) e.output_bytes += bytes * (R + 4) * (C * M + 1);
    e.output_bytes += 2 * bytes * R;  // the row axes
    e.memory_bytes = bytes * (double(shape[0]) * M * N * C + R * C * M * N) + e.output_bytes;
    return e;
  } catch (const H5Error& err) {
    throw CorrelateInputError(err.what());
  } catch (const std::invalid_argument& err) {  // the correlator table's own limits
    throw CorrelateInputError(err.what());
  } catch (const std::out_of_range&) {
    throw CorrelateInputError(run_file + ": /trajectory/time is not a 1-D dataset");
  }
}

}  // namespace nnfield
