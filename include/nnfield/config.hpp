#pragma once
// The resolved configuration of a run: what a model file says, after defaults,
// overrides (--set) and validation. Only src/config*.cpp knows TOML; everything
// else sees these plain structs. Every field's default and meaning is documented
// in docs/model-files.md (generated from the same schema: `nnfield keys`).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "nnfield/activation.hpp"
#include "nnfield/loss.hpp"
#include "nnfield/shape.hpp"

namespace nnfield {

// A model-file problem: the message already names file, line and key.
// The CLI prints what() on one line and exits with status 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One smooth-field mode added on top of (or instead of) the random smooth field:
// f(x, y) += amplitude * cos(pi * kx * x / Lx + 2 pi * ky * y / Ly + phase).
struct FieldMode {
  std::string field;  // "w" (weights, offset `offset`) or "phi" (neurons)
  int offset = 0;     // weight offset k - r in [-r, r]; ignored for "phi"
  int kx = 0;         // depth mode number (x in [0, Lx], not periodic: cosine series)
  int ky = 0;         // width mode number (periodic in y)
  double amplitude = 0.0;
  double phase = 0.0;
};

// Seeded random smooth fields on x in [0,Lx] x y in [0,Ly) with a spectral cutoff,
// plus optional explicit modes. Used for the "smooth" initial state (weights w_k and
// neurons phi; biases follow from Eq. 6) and for smooth velocities.
struct SmoothFieldConfig {
  int cutoff_x = 2;           // largest depth mode number in the random field
  int cutoff_y = 4;           // largest |width mode number| in the random field
  double w_amplitude = 0.1;   // RMS of the random part of each weight field w_k
  std::vector<double> w_mean; // mean of w_k for k = 0..2r; empty -> 1/K each
  double phi_amplitude = 0.5; // RMS of the random neuron field phi
  double c_amplitude = 1.0;   // init.kind = "critical": RMS of the gain deviation c, g = 1 + ax c
  std::vector<FieldMode> modes;
};

struct NetworkConfig {
  NetworkShape shape{8, 32, 1};  // M, N, r
  Activation activation = Activation::tanh;
  Loss loss = Loss::mse;
  double Lx = 1.0;  // physical depth; ax = Lx / M
  double Ly = 1.0;  // physical width; ay = Ly / N
};

struct InitConfig {
  std::string kind = "random";  // "random" | "file" | "smooth" | "critical" (SPEC 4.1)
  double sigma_w = 1.0;         // weights ~ N(0, sigma_w^2 / K)
  double sigma_b = 0.0;         // biases  ~ N(0, sigma_b^2)
  std::string file;             // kind = "file": HDF5 with /W (M,N,K), /b (M,N), optional /Wdot, /bdot
  SmoothFieldConfig smooth;     // kind = "smooth"
  // Initial velocities (damped dynamics only). "zero" | "random" | "smooth" | "file".
  std::string velocity = "zero";
  double sigma_v = 0.1;             // velocity = "random": W', b' ~ N(0, sigma_v^2)
  SmoothFieldConfig smooth_velocity;  // velocity = "smooth": W' and z' smooth, b' from d/dt Eq. 6
};

struct TeacherConfig {
  int M = 0;                      // 0 -> student's M
  int r = -1;                     // -1 -> student's r
  std::string activation;         // "" -> student's activation
  double sigma_w = 1.0;
  double sigma_b = 0.0;
  double noise = 0.0;             // Gaussian label noise added to the teacher's output
};

struct DataConfig {
  // Where samples come from: "pair" (one given or random pair), "file"
  // (HDF5 /X (S,N), /Y (S,N)), "teacher" (Y = teacher network of X), "random" (X, Y i.i.d.).
  std::string source = "teacher";
  std::string file;
  int samples = 16;               // S for generated data
  std::vector<double> x;          // source = "pair": explicit X (length N); empty -> random
  std::vector<double> y;          // source = "pair": explicit Y (length N); empty -> random
  std::string x_kind = "random";  // generated X: "random" (i.i.d. N(0, x_scale^2)) | "smooth"
  double x_scale = 1.0;
  int x_cutoff = 4;               // x_kind = "smooth": largest width mode
  double y_scale = 1.0;           // source = "random"/"pair": Y ~ N(0, y_scale^2)
  TeacherConfig teacher;
  // How samples are presented to continuous-time dynamics:
  // "fixed" (sample 0 forever), "switch" (piecewise constant, next sample every tau),
  // "blend" (smooth C^2 blend to the next sample over each tau, so X' exists),
  // "full_batch" (loss averaged over all samples).
  std::string presentation = "fixed";
  double tau = 1.0;
  std::string order = "shuffle";  // sample order: "sequential" | "shuffle" (per epoch) | "random"
};

struct DynamicsConfig {
  std::string kind = "damped";  // "damped" | "gradient_flow" | "sgd"
  std::string variables = "wb";  // damped, gradient_flow: integrate (W, b), or (W, z) ("bbd", Eq. 6)
  double gamma = 1.0;           // damped: q'' + gamma q' + dl/dq = 0
  double eta = 0.1;             // gradient_flow: q' = -eta dl/dq;  sgd: step size
  int batch = 1;                // sgd: mini-batch size (mean loss over the batch)
  double t_end = 10.0;          // damped, gradient_flow: final time
  long steps = 1000;            // sgd: number of steps
};

struct IntegratorConfig {
  std::string stepper = "dopri5";  // "rk4" | "dopri5" | "rkf78" | "symplectic"
  bool adaptive = true;            // dopri5/rkf78: error control; false -> fixed dt
  double dt = 0.01;                // fixed step, or the first trial step when adaptive
  double rtol = 1e-8;
  double atol = 1e-10;
  double dt_min = 1e-14;           // adaptive: give up (with a message) below this step
};

struct OutputConfig {
  double every = 0.1;                            // continuous: output cadence in time
  long every_steps = 10;                         // sgd: output cadence in steps
  std::vector<std::string> trajectory = {"W", "b", "z", "loss", "gain"};  // datasets under /trajectory
  int flush_every = 10;                          // flush the file every this many rows
};

// Measurements made during a run beyond the trajectory and the total energy.
struct ObserveConfig {
  bool energy_flow = false;               // BBD per-site energy density, decay, currents (/energy/*)
  bool lagrangian = false;                // /lagrangian/bulk, boundary, total (Eqs. 5, 7)
  std::vector<std::string> correlators;   // correlators measured on the fly (/correlators/*)
  std::string field = "phi";              // the field correlators measure: "phi" (neurons z), "w", "b"
  double every = 0.0;                     // cadence in time (0: output.every; sgd: output.every_steps)
};

struct ModelConfig {
  std::string source_path;   // the model file (for messages and provenance)
  std::string source_text;   // its text, verbatim
  std::string resolved_toml; // the resolved configuration, every key, as TOML
  std::string title;
  std::uint64_t seed = 0;    // master seed; components draw independent sub-streams

  NetworkConfig network;
  InitConfig init;
  DataConfig data;
  DynamicsConfig dynamics;
  IntegratorConfig integrator;
  OutputConfig output;
  ObserveConfig observe;
};

// Parse and validate a model file. `overrides` are "section.key=value" strings
// (value in TOML syntax; bare words are taken as strings). Throws ConfigError.
ModelConfig load_model_file(const std::string& path, const std::vector<std::string>& overrides = {});
ModelConfig load_model_string(const std::string& text, const std::string& name,
                              const std::vector<std::string>& overrides = {});

// The schema as a Markdown reference (docs/model-files.md is this text).
std::string model_file_reference_markdown();

}  // namespace nnfield
