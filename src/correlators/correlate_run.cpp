// `nnfield correlate`'s computation: a run file in, named correlator arrays out
// (include/nnfield/correlators/correlate_run.hpp; layout in docs/correlators.md).
#include "nnfield/correlators/correlate_run.hpp"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <limits>
#include <tuple>

#include "nnfield/config/config.hpp"
#include "correlators/correlate_outputs.hpp"
#include "nnfield/correlators/correlator_set.hpp"
#include "nnfield/correlators/correlators.hpp"
#include "nnfield/numerics/fft.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/numerics/parallel_for.hpp"

namespace nnfield {

namespace {

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

std::string number(double x) {
  char s[32];
  std::snprintf(s, sizeof s, "%.10g", x);
  return s;
}

std::string attribute_or_empty(const std::string& file, const std::string& name) {
  try {
    return h5_read_string_attribute(file, "/", name);
  } catch (const H5Error&) {
    return "";
  }
}

// The field's array, (T, M, N) or (T, M, N, K) for the weights, and its dataset.
// Field runs store phi and w; network runs z (= phi) and W.
std::pair<Array, std::string> read_field(const std::string& file, ObservedField field) {
  const std::string name = field_dataset(file, field);
  Array a = h5_read(file, name);
  const std::size_t rank = field == ObservedField::w ? 4 : 3;
  if (a.shape.size() != rank || std::find(a.shape.begin(), a.shape.end(), 0) != a.shape.end())
    throw CorrelateInputError(file + ": dataset " + name + " has shape " + shape_text(a.shape) + ", expected " +
                              (rank == 4 ? "(T, M, N, K)" : "(T, M, N)") + " with no empty axis");
  if (a.shape[2] < 2)
    throw CorrelateInputError(file + ": dataset " + name + " has width N = " + std::to_string(a.shape[2]) +
                              "; width correlators need N >= 2");
  return {std::move(a), name};
}

std::vector<std::size_t> select_rows(const std::string& file, const std::vector<double>& time, std::size_t T,
                                     const CorrelateOptions& options) {
  std::vector<std::size_t> rows;
  if (options.times.empty()) {
    if (options.every == 0) throw CorrelateInputError("--every must be >= 1");
    for (std::size_t r = 0; r < T; r += options.every) rows.push_back(r);
    return rows;
  }
  for (double t : options.times) {
    std::size_t best = 0;
    for (std::size_t r = 1; r < T; ++r)
      if (std::fabs(time[r] - t) < std::fabs(time[best] - t)) best = r;
    if (!(std::fabs(time[best] - t) <= 1e-9 * std::max(1.0, std::fabs(t))))
      throw CorrelateInputError(file + ": /trajectory/time has no output row at t = " + number(t) +
                                " (nearest: " + number(time[best]) + ")");
    rows.push_back(best);
  }
  return rows;
}

// The input boundary the recorded field saw, if the run says which sample it was.
std::vector<double> input_boundary(const std::string& file, std::size_t N, CorrelateResult& result) {
  auto skip = [&](const std::string& why) {
    result.notes.push_back("input cross-correlator not computed: " + why);
    result.attributes.emplace_back("input_boundary", "not computed: " + why);
    return std::vector<double>{};
  };
  if (!h5_has(file, "/data/X")) return skip(file + " has no /data/X");
  const Array X = h5_read(file, "/data/X");
  if (X.shape.size() != 2 || X.shape[1] != N || X.shape[0] == 0)
    return skip("/data/X has shape " + shape_text(X.shape) + ", expected (S, " + std::to_string(N) + ")");
  const std::string resolved = attribute_or_empty(file, "resolved_config");
  int sample = -1;
  std::string why = "the run has no resolved_config attribute saying which sample was recorded";
  if (!resolved.empty()) {
    try {
      sample = recorded_input_sample(load_model_string(resolved, file + " (resolved_config)"), int(X.shape[0]), &why);
    } catch (const ConfigError& e) {
      why = std::string("its resolved_config does not parse: ") + e.what();
    }
  }
  if (sample < 0) return skip(why);
  result.attributes.emplace_back("input_boundary", "sample " + std::to_string(sample) + " of /data/X");
  return std::vector<double>(X.data.begin() + std::ptrdiff_t(sample * N),
                             X.data.begin() + std::ptrdiff_t((sample + 1) * N));
}

// The run's series, cut to the length T they share: a run killed between two appends
// can leave them one row apart.
struct RunSeries {
  std::vector<double> time;
  ObservedField kind = ObservedField::phi;
  Array field;          // (T', M, N) or (T', M, N, K), T' >= T
  std::string dataset;  // where the field came from
  std::vector<double> loss;  // empty: the run has no /trajectory/loss
  std::size_t T = 0;
};

RunSeries read_series(const std::string& file, const std::string& field_name) {
  RunSeries s;
  Array time_array = h5_read(file, "/trajectory/time");
  if (time_array.shape.size() != 1 || time_array.size() == 0)
    throw CorrelateInputError(file + ": /trajectory/time has shape " + shape_text(time_array.shape) +
                              ", expected (T) with T >= 1");
  s.kind = field_option(field_name);
  std::tie(s.field, s.dataset) = read_field(file, s.kind);
  s.T = std::min(time_array.size(), s.field.shape[0]);
  s.time = std::move(time_array.data);
  if (h5_has(file, "/trajectory/loss")) {
    Array l = h5_read(file, "/trajectory/loss");
    if (l.shape.size() == 1) {
      s.T = std::min(s.T, l.size());
      s.loss = std::move(l.data);
    }
  }
  return s;
}

// Components C (1, or K for the weights), selected rows R, layers M, width N.
struct Extents {
  std::size_t C, R, M, N;
};

// The selected rows as (C, R, M, N): each component's samples contiguous.
std::vector<double> components_by_row(const Array& field, const std::vector<std::size_t>& rows, const Extents& e) {
  const std::size_t C = e.C, R = e.R, M = e.M, N = e.N;
  std::vector<double> phi(C * R * M * N);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t j = 0; j < M * N; ++j)
      for (std::size_t c = 0; c < C; ++c)
        phi[(c * R + r) * M * N + j] = field.data[(rows[r] * M * N + j) * C + c];
  return phi;
}

// The input boundary X when "input" is asked for; where the run cannot say which
// sample it saw, "input" leaves `correlators` (result.notes says why) and X is empty.
std::vector<double> input_for(std::vector<Correlator>& correlators, const std::string& file, std::size_t N,
                              CorrelateResult& result) {
  const auto input = std::find(correlators.begin(), correlators.end(), Correlator::input);
  if (input == correlators.end()) return {};
  std::vector<double> X = input_boundary(file, N, result);
  if (X.empty()) correlators.erase(input);
  return X;
}

CorrelatorSet make_correlator_set(const std::vector<Correlator>& correlators, const Extents& e,
                                  MeanSubtraction subtraction, const std::vector<double>& X) {
  try {
    return CorrelatorSet(correlators, e.C, e.M, e.N, subtraction, X.empty() ? nullptr : X.data());
  } catch (const std::invalid_argument& err) {
    throw CorrelateInputError(err.what());
  }
}

// The correlators of the selected rows, as /correlators/<name> (R, ...), each row one
// configuration (S = 1), and as /time_average/<name>, all rows at once being the samples
// of <.>. One job computes the average and one job each row, on `threads` threads: every
// job writes its own slots in its own order, so no number depends on the thread count.
struct RowCorrelators {
  std::vector<NamedArray> per_row, average;
};

RowCorrelators row_correlators(const CorrelatorSet& set, const std::vector<double>& phi, const Extents& e,
                               unsigned threads) {
  const std::size_t R = e.R, M = e.M, N = e.N;
  RowCorrelators out;
  std::vector<std::size_t> row_size;
  for (const CorrelatorOutput& o : set.outputs()) {
    std::size_t size = 1;
    for (std::size_t d : o.row_shape) size *= d;
    row_size.push_back(size);
    NamedArray a{"/correlators/" + o.name, {R}, std::vector<double>(R * size), "T," + o.index_order, o.description};
    a.shape.insert(a.shape.end(), o.row_shape.begin(), o.row_shape.end());
    out.per_row.push_back(std::move(a));
  }
  std::vector<std::vector<double>> average;
  // Job 0, the average, is claimed first: the longest job starts at once.
  parallel_for(R + 1, threads, [&](std::size_t job, unsigned) {
    if (job == 0) return set.evaluate(phi.data(), R, R * M * N, average);
    const std::size_t r = job - 1;
    std::vector<std::vector<double>> values;
    set.evaluate(phi.data() + r * M * N, 1, R * M * N, values);
    for (std::size_t j = 0; j < values.size(); ++j)
      std::copy(values[j].begin(), values[j].end(), out.per_row[j].data.begin() + std::ptrdiff_t(r * row_size[j]));
  });
  for (std::size_t j = 0; j < average.size(); ++j) {
    const CorrelatorOutput& o = set.outputs()[j];
    out.average.push_back({"/time_average/" + o.name, o.row_shape, std::move(average[j]), o.index_order,
                           o.description + "; <.> over the " + std::to_string(R) + " selected rows"});
  }
  return out;
}

// The axes of the per-row arrays: time and run-file row of each selected row (T), k (Q).
void add_row_axes(CorrelateResult& result, const std::vector<double>& time, const std::vector<std::size_t>& rows,
                  std::size_t N) {
  const std::size_t R = rows.size();
  std::vector<double> selected_time(R), selected_row(R);
  for (std::size_t r = 0; r < R; ++r) {
    selected_time[r] = time[rows[r]];
    selected_row[r] = double(rows[r]);
  }
  result.arrays.push_back({"/correlators/time", {R}, selected_time, "T", "time t of each selected row", time_values()});
  result.arrays.push_back({"/correlators/row", {R}, selected_row, "T", "index of the selected row in the run file",
                           integer_values()});
  std::vector<double> k(N / 2 + 1);
  for (std::size_t q = 0; q < k.size(); ++q) k[q] = half_spectrum_wavenumber(q, N);
  result.arrays.push_back({"/correlators/k", {k.size()}, k, "Q", "wavenumbers k_q = 2 pi q / N of the Q axis"});
}

// Along training time, of the layer means (R, C, M) and the loss. Meaningful for
// (nearly) stationary stretches of a run.
void add_autocorrelations(CorrelateResult& result, const std::string& file, const std::vector<double>& layer_means,
                          const std::vector<double>& loss, const std::vector<std::size_t>& rows, const Extents& e) {
  std::vector<double> selected_loss;
  for (std::size_t r = 0; r < e.R && !loss.empty(); ++r) selected_loss.push_back(loss[rows[r]]);
  for (NamedArray& a : time_autocorrelation_arrays(layer_means, selected_loss, e.R, e.C, e.M))
    result.arrays.push_back(std::move(a));
  if (loss.empty()) result.notes.push_back("loss autocorrelation not computed: " + file + " has no /trajectory/loss");
}

void add_run_attributes(CorrelateResult& result, const std::string& file, const CorrelateOptions& options,
                        const std::string& dataset, MeanSubtraction subtraction, const Extents& e) {
  result.attributes.emplace_back("source_run", file);
  result.attributes.emplace_back("field", options.field);
  result.attributes.emplace_back("field_dataset", dataset);
  result.attributes.emplace_back("mean_subtracted", mean_subtraction_name(subtraction));
  result.attributes.emplace_back("mean_subtracted_description", mean_subtraction_description(subtraction));
  result.attributes.emplace_back("sokal_window_constant", number(kSokalWindowConstant));
  result.integer_attributes.emplace_back("M", std::int64_t(e.M));
  result.integer_attributes.emplace_back("N", std::int64_t(e.N));
  if (e.C > 1) result.integer_attributes.emplace_back("K", std::int64_t(e.C));
  result.attributes.emplace_back("source_status", attribute_or_empty(file, "status"));
}

// The model and seed of the run, carried into the output's provenance.
void read_source(CorrelateResult& result, const std::string& file) {
  result.source.model_text = attribute_or_empty(file, "model_text");
  result.source.model_path = attribute_or_empty(file, "model_path");
  result.source.resolved_toml = attribute_or_empty(file, "resolved_config");
  const std::string seed = attribute_or_empty(file, "seed_string");
  try {
    if (!seed.empty()) result.source.seed = std::stoull(seed);
  } catch (const std::exception&) {
    result.notes.push_back("the run's seed_string '" + seed + "' is not a number; seed recorded as 0");
  }
}

CorrelateResult correlate(const std::string& file, const CorrelateOptions& options) {
  const OutputSelection selection = select_outputs(options.only);  // before anything is read
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw CorrelateInputError(file + ": no such file");
  CorrelateResult result;
  const RunSeries series = read_series(file, options.field);
  const std::vector<std::size_t> rows = select_rows(file, series.time, series.T, options);
  const std::vector<std::size_t>& shape = series.field.shape;
  const Extents e{series.kind == ObservedField::w ? shape[3] : 1, rows.size(), shape[1], shape[2]};
  const std::vector<double> phi = components_by_row(series.field, rows, e);

  std::vector<Correlator> correlators = selection.correlators;
  const std::vector<double> X = input_for(correlators, file, e.N, result);
  const MeanSubtraction subtraction = options.connected ? MeanSubtraction::configuration : MeanSubtraction::none;
  const CorrelatorSet set = make_correlator_set(correlators, e, subtraction, X);

  RowCorrelators computed = row_correlators(set, phi, e, std::max(1u, options.threads));
  add_row_axes(result, series.time, rows, e.N);
  // Layer means before the per-row arrays are moved: the autocorrelation needs them.
  std::vector<double> layer_means;
  for (const NamedArray& a : computed.per_row)
    if (a.name == "/correlators/layer_mean") layer_means = a.data;  // (R, C, M)
  for (NamedArray& a : computed.per_row) result.arrays.push_back(std::move(a));
  for (NamedArray& a : computed.average) result.arrays.push_back(std::move(a));
  if (selection.autocorrelation) add_autocorrelations(result, file, layer_means, series.loss, rows, e);
  if (!selection.layer_mean) {
    // Always computed (the autocorrelation's input), written only when selected.
    auto& a = result.arrays;
    a.erase(std::remove_if(a.begin(), a.end(),
                           [](const NamedArray& x) {
                             return x.name == "/correlators/layer_mean" || x.name == "/time_average/layer_mean";
                           }),
            a.end());
  }

  add_run_attributes(result, file, options, series.dataset, subtraction, e);
  read_source(result, file);
  return result;
}

}  // namespace

CorrelateResult correlate_run(const std::string& run_file, const CorrelateOptions& options) {
  try {
    return correlate(run_file, options);
  } catch (const H5Error& e) {
    // Reading only: every HDF5 problem here is a problem with the input file.
    throw CorrelateInputError(e.what());
  }
}

}  // namespace nnfield
