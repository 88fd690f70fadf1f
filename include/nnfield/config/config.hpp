#pragma once
// The resolved configuration of a run: what a model file says, after defaults,
// overrides (--set) and validation. Only src/config*.cpp knows TOML; everything
// else sees these plain structs. Every field's default and meaning is documented
// in docs/model-files.md (generated from the same schema: `nnfield keys`).
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "nnfield/config/config_choices.hpp"
#include "nnfield/core/activation.hpp"
#include "nnfield/core/loss.hpp"
#include "nnfield/core/shape.hpp"

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
  ModeField field = ModeField::w;  // w (weights, offset `offset`) or phi (neurons)
  int offset = 0;                  // weight offset k - r in [-r, r]; ignored for phi
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
  // random | file | smooth | critical (docs/theory.md 4.1) | continuum (the [continuum] data, docs/theory.md 4.1)
  InitKind kind = InitKind::random;
  double sigma_w = 1.0;         // weights ~ N(0, sigma_w^2 / K)
  double sigma_b = 0.0;         // biases  ~ N(0, sigma_b^2)
  std::string file;             // kind = "file": HDF5 with /W (M,N,K), /b (M,N), optional /Wdot, /bdot
  SmoothFieldConfig smooth;     // kind = "smooth"
  // Initial velocities (damped dynamics only). zero | random | smooth | file | continuum.
  InitVelocity velocity = InitVelocity::zero;
  double sigma_v = 0.1;             // velocity = "random": W', b' ~ N(0, sigma_v^2)
  SmoothFieldConfig smooth_velocity;  // velocity = "smooth": W' and z' smooth, b' from d/dt Eq. 6
};

struct TeacherConfig {
  int M = 0;                      // 0 -> student's M
  int r = -1;                     // -1 -> student's r
  std::optional<Activation> activation;  // none ("") -> student's activation
  double sigma_w = 1.0;
  double sigma_b = 0.0;
  double noise = 0.0;             // Gaussian label noise added to the teacher's output
};

struct DataConfig {
  // Where samples come from: "pair" (one given or random pair), "file"
  // (HDF5 /X (S,N), /Y (S,N)), "teacher" (Y = teacher network of X), "random" (X, Y i.i.d.),
  // "continuum" (the continuum data set of the [continuum] section: continuum.samples
  // samples, smooth in width; data/continuum_config.hpp).
  DataSource source = DataSource::teacher;
  std::string file;
  int samples = 16;               // S for generated data
  std::vector<double> x;          // source = "pair": explicit X (length N); empty -> random
  std::vector<double> y;          // source = "pair": explicit Y (length N); empty -> random
  InputKind x_kind = InputKind::random;  // generated X: random (i.i.d. N(0, x_scale^2)) | smooth
  double x_scale = 1.0;
  int x_cutoff = 4;               // x_kind = "smooth": largest width mode
  double y_scale = 1.0;           // source = "random"/"pair": Y ~ N(0, y_scale^2)
  TeacherConfig teacher;
  // How samples are presented to continuous-time dynamics:
  // "fixed" (sample 0 forever), "switch" (piecewise constant, next sample every tau),
  // "blend" (smooth C^2 blend to the next sample over each tau, so X' exists),
  // "full_batch" (loss averaged over all samples).
  Presentation presentation = Presentation::fixed;
  double tau = 1.0;
  DataOrder order = DataOrder::shuffle;  // sample order: sequential | shuffle (per epoch) | random
};

struct DynamicsConfig {
  DynamicsKind kind = DynamicsKind::damped;  // damped | gradient_flow | sgd
  DynamicsVariables variables = DynamicsVariables::wb;  // damped, gradient_flow: (W, b), or (W, z) (bbd, Eq. 6)
  double gamma = 1.0;           // damped: q'' + gamma q' + dl/dq = 0
  double eta = 0.1;             // gradient_flow: q' = -eta dl/dq;  sgd: step size
  int batch = 1;                // sgd: mini-batch size (mean loss over the batch)
  double t_end = 10.0;          // damped, gradient_flow: final time
  long steps = 1000;            // sgd: number of steps
  // depth: eta -> eta * ax (docs/theory.md 4.2: a depth limit needs eta ~ ax)
  EtaScaling eta_scaling = EtaScaling::none;
};

struct IntegratorConfig {
  StepperKind stepper = StepperKind::dopri5;  // rk4 | dopri5 | rkf78 | symplectic
  bool adaptive = true;            // dopri5/rkf78: error control; false -> fixed dt
  double dt = 0.01;                // fixed step, or the first trial step when adaptive
  double rtol = 1e-8;
  double atol = 1e-10;
  double dt_min = 1e-14;           // adaptive: give up (with a message) below this step
};

struct OutputConfig {
  double every = 0.1;                            // continuous: output cadence in time
  long every_steps = 10;                         // sgd: output cadence in steps
  // datasets under /trajectory
  std::vector<TrajectoryDataset> trajectory = {TrajectoryDataset::W, TrajectoryDataset::b, TrajectoryDataset::z,
                                               TrajectoryDataset::loss, TrajectoryDataset::gain};
  int flush_every = 10;                          // flush the file every this many rows
  // Checkpoints (docs/output-schema.md, "Checkpoint and restart"): at output rows, at the first
  // past each multiple of checkpoint_every (model time; sgd: steps; 0: none by it) and the first
  // checkpoint_seconds of wall clock after the last (0: none by it); always at the last row.
  double checkpoint_every = 0.0;
  double checkpoint_seconds = 60.0;
};

// A field run's output.trajectory when the model does not give it: every dataset of the
// field (the velocities: damped runs), the output of field runs before the key applied to them.
std::vector<TrajectoryDataset> field_trajectory_default(DynamicsKind kind);

// Measurements made during a run beyond the trajectory and the total energy.
struct ObserveConfig {
  bool energy_flow = false;               // BBD per-site energy density, decay, currents (/energy/*)
  bool lagrangian = false;                // /lagrangian/bulk, boundary, total (Eqs. 5, 7)
  std::vector<Correlator> correlators;    // correlators measured on the fly (/correlators/*)
  ObservedField field = ObservedField::phi;  // the field correlators measure: phi (neurons z), w, b
  double every = 0.0;                     // cadence in time (0: output.every; sgd: output.every_steps)
  bool autocorrelation = false;           // time autocorrelations of the layer means and loss (/autocorrelation/*)
};

// One continuum field in a model file: an expression of x, y, or a seeded smooth random field "random(RMS)" / "random(RMS, MEAN)".
struct ContinuumFieldSpec { std::string text; };   // keep the text; parse it with the helpers of continuum_config.hpp

// The [continuum] section: continuum data in BBD variables (docs/theory.md 4.1), boundary fields and
// initial velocities, each a string parsed by continuum_config.hpp. The same file gives the
// same fields at every (M, N): random fields are seeded per field name, not per lattice.
struct ContinuumConfig {
  bool present = false;                 // the model file has a [continuum] section
  std::string phi = "random(0.5, 0.2)";  // neurons phi(x, y) (docs/theory.md 4.1, BBD variables)
  std::string c = "random(0.3)";         // gain deviation c(x, y): g = 1 + ax c
  std::vector<std::string> w;            // K entries, offsets -r..r; the offset-0 entry must be "" (derived from the gain); empty: "random(0.05, 0.3)" for k != 0
  std::vector<std::string> w_in;         // K entries, the input link's weights v_k(y) on x = 0; empty: "random(0.05, 1/K)" each
  std::string X = "random(0.5)";         // input X(y) on x = 0 (x is 0 there)
  std::string Y = "";                    // target Y(y) (evaluated at x = Lx); "" -> Z0(y) + scale*misfit(y)
  std::string misfit = "random(1.0)";    // used when Y == "": the misfit field
  // depth: scale = ax (docs/theory.md 4.2 weakly nonlinear scaling, a limit exists) |
  // none: scale = 1 (O(1) misfit: no limit)
  MisfitScaling misfit_scaling = MisfitScaling::depth;
  std::string phi_dot = "0";             // initial velocities (damped dynamics) in BBD variables
  std::vector<std::string> w_dot;        // K entries, default "0" (all offsets incl. 0)
  int cutoff_x = 2, cutoff_y = 3;        // spectral cutoffs of the random fields
  // The continuum data set (data/continuum_config.hpp): P samples; sample 0 is X and the
  // target above, sample s >= 1 has the input X + scale * dX_s (scale as the misfit's) and,
  // where misfit (or Y) is random(...), its own draw of it.
  int samples = 1;
  std::string dX = "random(0.5)";        // samples s >= 1: the input's deviation from X, on x = 0
};

// The [field] section: `nnfield run` integrates the field theory (docs/theory.md 4.3, 4.4) instead of the network.
struct FieldConfig {
  bool present = false;            // the model file has a [field] section: `nnfield run` runs the field solver
  DepthForm form = DepthForm::midpoint;  // midpoint: modified-equation midpoint scheme of order p (1 = transport, 2); exact: the lattice shift (the discrete network itself, needs rx = ry = 1)
  int p = 1;                       // order in (ax, ay) of the truncated theory, 1..3 (form = midpoint); docs/field-limit.md sections 6, 8
  int rx = 1, ry = 1;              // coarse graining: depth steps hx ~ rx ax, width points ny = N/ry (N % ry == 0)
  int q = 0;                       // degree of the depth interpolation of the link fields (Lagrange on q+1 nodes), 1..8; 0 = automatic (5, or 7 where it cuts the initial phi error: field_problem.hpp)
  int depth_substeps = 0;          // RK4 substeps per depth interval; 0 = automatic (depth-integrator stability)
  bool allow_unstable = false;     // integrate even when the stability check refuses (CLI --allow-unstable sets it)
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
  ContinuumConfig continuum;
  FieldConfig field;
};

// What the loader does with a key the run would not read (config_applicability.cpp):
// refuse it unless it holds its default (so resolved configurations load back), or, for
// tools that only parse (the parser's own tests), accept it.
enum class UnreadKeys { refuse, accept };

// Where the model's runs keep their rows. A run file takes checkpoints beside it
// (output.checkpoint_every, output.checkpoint_seconds); runs held in memory (nnfield
// ensemble, propagate and compare, the Python module without an output file) take none,
// so they refuse those keys rather than ignore them.
enum class RunStorage { file, memory };

// The command a model is loaded for. A model file describes one model; the commands other
// than `run` use part of it, and the loader refuses what they would not read
// (config_applicability.cpp, docs/model-files.md "Keys the run does not read"):
//   run        what the run reads (RunStorage decides the checkpoint keys);
//   ensemble,  run the model: the keys they do not honour are refused from the file and
//   compare    from overrides alike, besides what their runs (kept in memory) do not read;
//   propagate  studies the model's network at initialisation: an override of a key it does
//              not read is refused; the file's other keys describe the training run and are
//              checked as for `nnfield run` of the file.
enum class ModelCommand { run, ensemble, propagate, compare };

// What the loader needs to know of the command a model serves: which command, and the
// command's options that take the place of a key (the key is then not read).
struct ModelUse {
  ModelCommand command = ModelCommand::run;
  RunStorage storage = RunStorage::file;
  bool bootstrap_errors = false;  // ensemble --error bootstrap: run.seed seeds the resampling
  bool coarsen_given = false;     // compare --coarsen: the factors, not field.rx, field.ry
  bool sigma_w_given = false;     // propagate --sigma-w: not init.sigma_w
  bool sigma_b_given = false;     // propagate --sigma-b: not init.sigma_b
  bool seed_given = false;        // propagate --seed: not run.seed

  // `nnfield run` (and the Python module's runs) with its rows in `storage`.
  ModelUse(RunStorage storage_ = RunStorage::file) : storage(storage_) {}  // NOLINT: a run is the plain use
  static ModelUse ensemble(bool bootstrap_errors);
  static ModelUse compare(bool coarsen_given);
  static ModelUse propagate(bool sigma_w_given, bool sigma_b_given, bool seed_given);
};

// The model keys `nnfield propagate` reads (it copies run.title into its file too), and the
// same as text: "network.M, network.N, ... and run.seed".
const std::vector<std::string>& propagate_model_keys();
std::string propagate_model_keys_text();

// Parse and validate a model file. `overrides` are "section.key=value" strings
// (value in TOML syntax; bare words are taken as strings). Throws ConfigError.
ModelConfig load_model_file(const std::string& path, const std::vector<std::string>& overrides = {},
                            UnreadKeys unread = UnreadKeys::refuse, const ModelUse& use = {});
ModelConfig load_model_string(const std::string& text, const std::string& name,
                              const std::vector<std::string>& overrides = {}, UnreadKeys unread = UnreadKeys::refuse,
                              const ModelUse& use = {});

// Refuses (ConfigError, one line naming the key and why) a configuration that sets a key
// a run kept in memory does not read; for configurations loaded before it was known where
// their run would go (run_model calls it for runs without an output file).
void check_keys_read_in_memory(const ModelConfig& config);

// "section.key" -> value text of a resolved configuration (ModelConfig::resolved_toml: one
// `key = value` a line under [section] headers), for comparing two configurations key by key.
std::map<std::string, std::string> resolved_key_values(const std::string& resolved_toml);

// The schema as a Markdown reference (docs/model-files.md is this text).
std::string model_file_reference_markdown();

}  // namespace nnfield
