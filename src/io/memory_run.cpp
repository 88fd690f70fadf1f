#include <algorithm>
#include <stdexcept>

#include "nnfield/io/series_sink.hpp"

namespace nnfield {

namespace {
std::size_t product(const std::vector<std::size_t>& shape, std::size_t from = 0) {
  std::size_t n = 1;
  for (std::size_t i = from; i < shape.size(); ++i) n *= shape[i];
  return n;
}
}  // namespace

int MemoryRun::add_series(const std::string& name, const std::vector<std::size_t>& row_shape,
                          const std::string& index_order, const std::string& description,
                          const DatasetValues& kind) {
  Dataset d;
  d.kind = kind;
  d.shape.push_back(0);
  d.shape.insert(d.shape.end(), row_shape.begin(), row_shape.end());
  d.index_order = index_order;
  d.description = description;
  const auto& wanted = m_capture.series;
  const bool held = wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end();
  if (held) m_datasets[name] = std::move(d);
  m_series.push_back(name);
  m_appended.push_back(0);
  m_held.push_back(held);
  return int(m_series.size()) - 1;
}

void MemoryRun::append(int series, const double* row) {
  const std::size_t k = std::size_t(series), row_index = m_appended.at(k)++;
  const auto& rows = m_capture.rows;
  if (!m_held[k] || (!rows.empty() && !std::binary_search(rows.begin(), rows.end(), row_index))) return;
  Dataset& d = m_datasets.at(m_series[k]);
  const std::size_t n = product(d.shape, 1);
  // Known rows: room for all of them at once, not a doubling that holds 1.5x their size.
  if (!rows.empty() && d.data.empty()) d.data.reserve(rows.size() * n);
  d.data.insert(d.data.end(), row, row + n);
  ++d.shape[0];
}

void MemoryRun::append_pieces(int series, const RowPieces& row) {
  // A run in memory holds its rows whole anyway: the pieces are put together here.
  const Dataset* d = m_held.at(std::size_t(series)) ? &m_datasets.at(m_series[std::size_t(series)]) : nullptr;
  if (d && d->shape.size() < 3)
    throw std::invalid_argument("append_pieces: series " + m_series[std::size_t(series)] + " has rows of one axis");
  std::vector<double> whole;
  if (d) {
    whole.resize(product(d->shape, 1));
    const std::size_t columns = d->shape[2], cells = product(d->shape, 3);
    row([&](std::size_t line, std::size_t first, std::size_t width, const double* values) {
      std::copy_n(values, width * cells, whole.begin() + std::ptrdiff_t((line * columns + first) * cells));
    });
  } else {
    row([](std::size_t, std::size_t, std::size_t, const double*) {});  // not held: the pieces are passed over
  }
  append(series, whole.data());
}

// The rows appended, held or not: observers count their own rows (the energy's first row).
std::size_t MemoryRun::rows(int series) const { return m_appended.at(std::size_t(series)); }

void MemoryRun::write_array(const std::string& name, const std::vector<std::size_t>& shape, const double* data,
                            const std::string& index_order, const std::string& description,
                            const DatasetValues& kind) {
  m_datasets[name] = Dataset{shape, std::vector<double>(data, data + product(shape)), index_order, description, kind};
}

void MemoryRun::set_root_attribute(const std::string& name, const std::string& value) {
  m_text_attributes[name] = value;
}

void MemoryRun::set_root_attribute(const std::string& name, double value) { m_number_attributes[name] = value; }

const MemoryRun::Dataset& MemoryRun::dataset(const std::string& name) const {
  auto it = m_datasets.find(name);
  if (it == m_datasets.end()) throw std::out_of_range("run has no dataset '" + name + "'");
  return it->second;
}

MemoryRun::Dataset& MemoryRun::dataset(const std::string& name) {
  auto it = m_datasets.find(name);
  if (it == m_datasets.end()) throw std::out_of_range("run has no dataset '" + name + "'");
  return it->second;
}

std::vector<std::string> MemoryRun::names() const {
  std::vector<std::string> out;
  for (const auto& kv : m_datasets) out.push_back(kv.first);
  return out;
}

}  // namespace nnfield
