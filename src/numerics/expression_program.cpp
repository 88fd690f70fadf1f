// Expressions compiled to a flat program: one instruction per distinct node of the
// (canonical) tree, children first, each writing one slot of a small register file.
// Slots are reused as soon as their value's last reader has run, so the register file
// stays small even for long programs: a subexpression shared by many parts of a high
// derivative is computed once and kept only while needed. Evaluating at every lattice
// or grid point is then a loop over a few instructions on a fixed array on the stack.
#include "numerics/expression_program.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "nnfield/numerics/expression.hpp"

namespace nnfield::expr_detail {
namespace {

enum class Code : unsigned char { num, x, y, t, neg, add, sub, mul, div, pow, powi, fn };

struct Instr {
  Code code;
  Fn fn;
  std::uint16_t out, a, b;  // slots
  double value;             // num: the constant; powi: the integer exponent
};

// Evaluation uses a register file of this size on the C++ stack; a program needing more
// (never seen in practice) uses a per-thread buffer that is allocated once.
constexpr int kSlots = 128;
constexpr std::size_t kMaxSlots = 65535;

}  // namespace

struct Program {
  std::vector<Instr> code;
  int slots = 0;
  int result = 0;  // the slot holding the value at the end
  bool uses_x = false, uses_y = false, uses_t = false;
};

namespace {

class Compiler {
 public:
  explicit Compiler(Program& p) : m_p(p) {}

  void compile(const NodePtr& root) {
    count_readers(root);
    m_p.result = emit(root);
    m_p.slots = std::max(m_next_slot, 1);
  }

 private:
  Program& m_p;
  std::unordered_map<const Node*, int> m_readers;  // instructions still to read a node's value
  std::unordered_map<const Node*, int> m_slot;     // slot of a computed node
  std::unordered_map<const Node*, int> m_need;     // registers needed (Sethi-Ullman, for the order)
  std::vector<int> m_free;
  int m_next_slot = 0;

  // Small integer powers are repeated multiplication: exact for x^2, and no pow() call.
  static bool is_powi(const NodePtr& n) {
    return n->op == Op::pow && n->b->op == Op::num && std::floor(n->b->value) == n->b->value &&
           std::fabs(n->b->value) <= 16;
  }

  static std::vector<const NodePtr*> operands(const NodePtr& n) {
    std::vector<const NodePtr*> v;
    if (n->a) v.push_back(&n->a);
    if (n->b && !is_powi(n)) v.push_back(&n->b);
    return v;
  }

  void count_readers(const NodePtr& n) {
    for (const NodePtr* c : operands(n)) {
      if (m_readers[c->get()]++ == 0) count_readers(*c);
    }
  }

  int need(const NodePtr& n) {
    auto it = m_need.find(n.get());
    if (it != m_need.end()) return it->second;
    const auto ops = operands(n);
    int r = 1;
    if (ops.size() == 1) r = need(*ops[0]);
    if (ops.size() == 2) {
      const int l = need(*ops[0]), k = need(*ops[1]);
      r = l == k ? l + 1 : std::max(l, k);
    }
    m_need.emplace(n.get(), r);
    return r;
  }

  int take_slot() {
    if (!m_free.empty()) {
      const int s = m_free.back();
      m_free.pop_back();
      return s;
    }
    if (std::size_t(m_next_slot) >= kMaxSlots) throw ExpressionError("expression too large to evaluate", 1);
    return m_next_slot++;
  }

  // A value read once more; its slot is free after its last reader.
  int read(const NodePtr& n) {
    const int s = m_slot.at(n.get());
    if (--m_readers[n.get()] == 0) m_free.push_back(s);
    return s;
  }

  // Emits n (and whatever it needs that is not computed yet); returns its slot.
  int emit(const NodePtr& n) {
    auto done = m_slot.find(n.get());
    if (done != m_slot.end()) return done->second;
    const auto ops = operands(n);
    // The operand needing more registers first, so fewer values wait in slots.
    if (ops.size() == 2 && need(*ops[1]) > need(*ops[0])) {
      emit(*ops[1]);
      emit(*ops[0]);
    } else {
      for (const NodePtr* c : ops) emit(*c);
    }
    Instr in{Code::num, Fn::sin, 0, 0, 0, 0.0};
    if (ops.size() >= 1) in.a = std::uint16_t(read(*ops[0]));
    if (ops.size() == 2) in.b = std::uint16_t(read(*ops[1]));
    switch (n->op) {
      case Op::num: in.code = Code::num; in.value = n->value; break;
      case Op::x: in.code = Code::x; m_p.uses_x = true; break;
      case Op::y: in.code = Code::y; m_p.uses_y = true; break;
      case Op::t: in.code = Code::t; m_p.uses_t = true; break;
      case Op::neg: in.code = Code::neg; break;
      case Op::fn: in.code = Code::fn; in.fn = n->fn; break;
      case Op::add: in.code = Code::add; break;
      case Op::sub: in.code = Code::sub; break;
      case Op::mul: in.code = Code::mul; break;
      case Op::div: in.code = Code::div; break;
      case Op::pow:
        in.code = is_powi(n) ? Code::powi : Code::pow;
        if (is_powi(n)) in.value = n->b->value;
        break;
    }
    // Operands' slots are already released, so the result may overwrite one of them:
    // every instruction reads its operands before it writes.
    const int s = take_slot();
    in.out = std::uint16_t(s);
    m_p.code.push_back(in);
    m_slot.emplace(n.get(), s);
    return s;
  }
};

double powi(double v, int n) {
  const bool inverse = n < 0;
  unsigned k = unsigned(inverse ? -n : n);
  double r = 1.0;
  while (k) {
    if (k & 1u) r *= v;
    v *= v;
    k >>= 1;
  }
  return inverse ? 1.0 / r : r;
}

double run_on(const Program& p, double x, double y, double t, double* r) {
  for (const Instr& in : p.code) {
    const double a = r[in.a], b = r[in.b];
    double v = 0.0;
    switch (in.code) {
      case Code::num: v = in.value; break;
      case Code::x: v = x; break;
      case Code::y: v = y; break;
      case Code::t: v = t; break;
      case Code::neg: v = -a; break;
      case Code::fn: v = apply(in.fn, a); break;
      case Code::powi: v = powi(a, int(in.value)); break;
      case Code::add: v = a + b; break;
      case Code::sub: v = a - b; break;
      case Code::mul: v = a * b; break;
      case Code::div: v = a / b; break;
      case Code::pow: v = std::pow(a, b); break;
    }
    r[in.out] = v;
  }
  return r[p.result];
}

}  // namespace

double run(const Program& p, double x, double y, double t) {
  if (p.slots <= kSlots) {
    double r[kSlots];
    return run_on(p, x, y, t, r);
  }
  thread_local std::vector<double> big;
  if (big.size() < std::size_t(p.slots)) big.resize(std::size_t(p.slots));
  return run_on(p, x, y, t, big.data());
}

std::shared_ptr<const Program> compile(const NodePtr& root) {
  auto p = std::make_shared<Program>();
  Compiler(*p).compile(root);
  return p;
}

bool uses(const Program& p, char var) {
  return var == 'x' ? p.uses_x : var == 'y' ? p.uses_y : var == 't' ? p.uses_t : false;
}

}  // namespace nnfield::expr_detail
