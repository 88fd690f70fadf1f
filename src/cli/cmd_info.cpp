// nnfield info FILE.h5 [-q]: what an HDF5 file is (file_kind.hpp), its status and
// provenance, its datasets with their shapes, and what it concluded: the last time and
// final loss of a run, the verdicts of a compare file. A file that is missing, a
// directory, not HDF5 or not nnfield's is one line on stderr and exit status 2.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "commands.hpp"
#include "file_kind.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/io/h5io_catalog.hpp"

namespace nnfield::cli {
namespace {

std::string shape_text(const std::vector<std::size_t>& shape) {
  if (shape.empty()) return "scalar";
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

void line(const std::string& label, const std::string& value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "  %-11s ", (label + ":").c_str());
  std::cout << buf << value << "\n";
}

std::string attribute_or(const H5Catalog& c, const std::string& name, const std::string& fallback) {
  return attribute_text(c, name).value_or(fallback);
}

// The writer rewrites "running" once, when it closes the file: still "running" means it is
// being written or the writer died (docs/output-schema.md, "status").
std::string status_text(const H5Catalog& c, const std::string& file) {
  const std::string status = attribute_or(c, "status", "(none)");
  if (status != "running") return status;
  if (h5_end_of_allocation_lags(file))
    return "running (still being written, or the writer was killed inside a flush: if no nnfield is writing it, "
           "`nnfield run --resume " + file + "` repairs it)";
  return "running (still being written, or the writer was killed)";
}

void print_provenance(const H5Catalog& c, const std::string& file) {
  line("status", status_text(c, file));
  line("nnfield", attribute_or(c, "nnfield_version", "?") + " (git " + attribute_or(c, "git_hash", "?") + ", " +
                      attribute_or(c, "build_type", "?") + ")");
  const std::string title = attribute_or(c, "title", "");
  line("model", attribute_or(c, "model_path", "?") + (title.empty() ? "" : "  \"" + title + "\""));
  line("seed", attribute_or(c, "seed", attribute_or(c, "seed_string", "?")));
  line("created", attribute_or(c, "created", "?") + ", finished " + attribute_or(c, "finished", "(not yet)"));
  if (auto source = attribute_text(c, "source_run"))
    line("source run", *source + " (" + attribute_or(c, "field", "?") + ", status " +
                           attribute_or(c, "source_status", "?") + ")");
}

// The last row of a time series: runs append rows one series at a time, so the
// shortest of time and loss is the last complete row (docs/output-schema.md).
void print_last_row(const std::string& file, const H5Catalog& c) {
  auto has = [&](const std::string& name) {
    return std::any_of(c.datasets.begin(), c.datasets.end(), [&](const H5DatasetInfo& d) { return d.name == name; });
  };
  if (!has("/trajectory/time")) return;
  const Array time = h5_read(file, "/trajectory/time");
  const Array loss = has("/trajectory/loss") ? h5_read(file, "/trajectory/loss") : Array{};
  const std::size_t rows = loss.data.empty() ? time.size() : std::min(time.size(), loss.size());
  if (rows == 0) return line("last time", "(no rows yet)");
  char buf[96];
  std::snprintf(buf, sizeof buf, "t = %.10g (%zu rows)", time.data[rows - 1], rows);
  line("last time", buf);
  if (loss.data.empty()) return;
  std::snprintf(buf, sizeof buf, "%.10g", loss.data[rows - 1]);
  line("final loss", buf);
}

void print_verdicts(const H5Catalog& c) {
  for (const H5AttributeValue& a : c.root_attributes)
    if (a.name.rfind("verdict.", 0) == 0 || a.name == "self_convergence_verdict")
      line("verdict", a.name + ": " + attribute_or(c, a.name, "?"));
}

void print_datasets(const H5Catalog& c) {
  std::cout << "  datasets:\n";
  std::string axes;
  for (const H5DatasetInfo& d : c.datasets) {
    if (d.dimension_scale) {  // an axis of the others: named once, not listed as data
      axes += (axes.empty() ? "" : ", ") + d.name;
      continue;
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "    %-40s %s", d.name.c_str(), shape_text(d.shape).c_str());
    std::cout << buf << (d.index_order.empty() ? "" : "  " + d.index_order) << "\n";
  }
  if (!axes.empty()) line("axes", axes);
}

// Missing, a directory, not HDF5, not nnfield's: one line, exit 2 (bad input).
int describe(const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return fail(2, file + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail(2, file + ": is a directory, not an HDF5 file");
  if (!S_ISREG(st.st_mode)) return fail(2, file + ": is not a regular file");
  H5Catalog catalog;
  try {
    catalog = h5_catalog(file);
  } catch (const H5Error& e) {
    return fail(2, e.what());
  }
  const std::optional<FileKind> kind = file_kind(catalog);
  if (!kind) return fail(2, file + ": not an nnfield file (no provenance, and not an initial-state or data file)");
  std::cout << file << ": " << file_kind_name(*kind) << "\n";
  if (*kind != FileKind::initial_state && *kind != FileKind::data) print_provenance(catalog, file);
  if (*kind == FileKind::run || *kind == FileKind::field_run || *kind == FileKind::ensemble)
    print_last_row(file, catalog);
  if (*kind == FileKind::compare) print_verdicts(catalog);
  print_datasets(catalog);
  return 0;
}

Command register_info(CLI::App& app, const Context&) {
  auto args = std::make_shared<CommonArgs>();
  CLI::App* sub = app.add_subcommand("info", "say what an HDF5 file is: kind, status, provenance, datasets, results");
  auto file = std::make_shared<std::string>();
  sub->add_option("file", *file, "HDF5 file (a run, ensemble, propagate, correlate or compare output)")->required();
  // The description is what info exists to print: --quiet (taken by every command) keeps it.
  add_common_options(*sub, *args, {CommonOption::quiet});
  return {sub, [file, args]() {
            try {
              return describe(*file);
            } catch (const H5Error& e) {  // a dataset that cannot be read: the file is bad input
              return fail(2, e.what());
            }
          }};
}

const bool registered = add_command(register_info);

}  // namespace
}  // namespace nnfield::cli
