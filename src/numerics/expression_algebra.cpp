// Expression trees: simplifying constructors, symbolic differentiation, printing.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <unordered_map>

#include "numerics/expression_node.hpp"

namespace nnfield::expr_detail {
namespace {

struct FnName {
  Fn fn;
  const char* name;
};
constexpr FnName kFunctions[] = {
    {Fn::sin, "sin"},   {Fn::cos, "cos"},   {Fn::tan, "tan"},   {Fn::exp, "exp"},
    {Fn::log, "log"},   {Fn::sqrt, "sqrt"}, {Fn::tanh, "tanh"}, {Fn::sinh, "sinh"},
    {Fn::cosh, "cosh"}, {Fn::abs, "abs"},   {Fn::sigmoid, "sigmoid"}, {Fn::sign, "sign"},
};

std::shared_ptr<Node> make(Op op, NodePtr a, NodePtr b = nullptr) {
  auto n = std::make_shared<Node>();
  n->op = op;
  n->a = std::move(a);
  n->b = std::move(b);
  n->depth = 1 + std::max(n->a ? n->a->depth : 0, n->b ? n->b->depth : 0);
  return n;
}

bool is_const(const NodePtr& n) { return n->op == Op::num; }

}  // namespace

bool function_named(const std::string& name, Fn& out) {
  for (const auto& f : kFunctions)
    if (name == f.name) {
      out = f.fn;
      return true;
    }
  return false;
}

const char* function_name(Fn f) {
  for (const auto& e : kFunctions)
    if (e.fn == f) return e.name;
  return "?";
}

double apply(Fn f, double v) {
  switch (f) {
    case Fn::sin: return std::sin(v);
    case Fn::cos: return std::cos(v);
    case Fn::tan: return std::tan(v);
    case Fn::exp: return std::exp(v);
    case Fn::log: return std::log(v);
    case Fn::sqrt: return std::sqrt(v);
    case Fn::tanh: return std::tanh(v);
    case Fn::sinh: return std::sinh(v);
    case Fn::cosh: return std::cosh(v);
    case Fn::abs: return std::fabs(v);
    case Fn::sigmoid:  // written so that neither branch overflows
      return v >= 0 ? 1.0 / (1.0 + std::exp(-v)) : std::exp(v) / (1.0 + std::exp(v));
    case Fn::sign: return double((v > 0) - (v < 0));
  }
  return 0.0;
}

bool is_num(const NodePtr& n, double v) { return n->op == Op::num && n->value == v; }

NodePtr num(double v) {
  auto n = std::make_shared<Node>();
  n->op = Op::num;
  n->value = v;
  return n;
}

NodePtr var(char name) {
  auto n = std::make_shared<Node>();
  n->op = name == 'x' ? Op::x : name == 'y' ? Op::y : Op::t;
  return n;
}

NodePtr neg(NodePtr a) {
  if (is_const(a)) return num(-a->value);
  if (a->op == Op::neg) return a->a;
  return make(Op::neg, std::move(a));
}

NodePtr add(NodePtr a, NodePtr b) {
  if (is_const(a) && is_const(b)) return num(a->value + b->value);
  if (is_num(a, 0)) return b;
  if (is_num(b, 0)) return a;
  if (a == b) return mul(num(2.0), std::move(a));
  // Constant terms gather on the right, where they fold: (y - 1) - 1 -> y - 2.
  if (is_const(a)) std::swap(a, b);
  if (is_const(b) && a->op == Op::add && is_const(a->b)) return add(a->a, num(a->b->value + b->value));
  if (a->op == Op::add && is_const(a->b)) return add(add(a->a, std::move(b)), a->b);
  if (b->op == Op::add && is_const(b->b)) return add(add(std::move(a), b->a), b->b);
  if (b->op == Op::neg) return sub(std::move(a), b->a);
  if (a->op == Op::neg) return sub(std::move(b), a->a);
  return make(Op::add, std::move(a), std::move(b));
}

NodePtr sub(NodePtr a, NodePtr b) {
  if (is_const(a) && is_const(b)) return num(a->value - b->value);
  if (is_num(b, 0)) return a;
  if (is_num(a, 0)) return neg(std::move(b));
  if (a == b) return num(0.0);
  if (is_const(b)) return add(std::move(a), num(-b->value));
  if (a->op == Op::add && is_const(a->b)) return add(sub(a->a, std::move(b)), a->b);
  if (b->op == Op::neg) return add(std::move(a), b->a);
  return make(Op::sub, std::move(a), std::move(b));
}

NodePtr mul(NodePtr a, NodePtr b) {
  if (is_const(b) && !is_const(a)) std::swap(a, b);  // constants on the left
  if (is_const(a)) {
    if (is_const(b)) return num(a->value * b->value);
    if (a->value == 0) return a;
    if (a->value == 1) return b;
    if (a->value == -1) return neg(std::move(b));
    if (b->op == Op::mul && is_const(b->a)) return mul(num(a->value * b->a->value), b->b);
    if (b->op == Op::neg) return mul(num(-a->value), b->a);
  }
  if (a->op == Op::neg) return neg(mul(a->a, std::move(b)));
  if (b->op == Op::neg) return neg(mul(std::move(a), b->a));
  if (b->op == Op::mul && is_const(b->a)) return mul(b->a, mul(std::move(a), b->b));
  if (a->op == Op::mul && is_const(a->a)) return mul(a->a, mul(a->b, std::move(b)));
  if (a == b) return pow(std::move(a), num(2.0));
  return make(Op::mul, std::move(a), std::move(b));
}

NodePtr div(NodePtr a, NodePtr b) {
  if (is_const(a) && is_const(b)) return num(a->value / b->value);
  if (is_num(a, 0)) return a;
  if (is_num(b, 1)) return a;
  if (is_const(b)) return mul(num(1.0 / b->value), std::move(a));
  return make(Op::div, std::move(a), std::move(b));
}

NodePtr pow(NodePtr a, NodePtr b) {
  if (is_const(a) && is_const(b)) return num(std::pow(a->value, b->value));
  if (is_num(b, 0)) return num(1.0);
  if (is_num(b, 1)) return a;
  // (u^p)^q = u^(pq) only for integer exponents, where no branch of a root is chosen.
  if (is_const(b) && a->op == Op::pow && is_const(a->b) && std::floor(b->value) == b->value &&
      std::floor(a->b->value) == a->b->value)
    return pow(a->a, num(a->b->value * b->value));
  return make(Op::pow, std::move(a), std::move(b));
}

NodePtr fn(Fn f, NodePtr a) {
  if (is_const(a)) return num(apply(f, a->value));
  auto n = make(Op::fn, std::move(a));
  n->fn = f;
  return n;
}

// --- d/dvar -------------------------------------------------------------------------

namespace {

class Differentiator {
 public:
  explicit Differentiator(char var) : m_var(var) {}

  // Memoised per node: subtrees shared between an expression and its earlier
  // derivatives are differentiated once and stay shared.
  NodePtr d(const NodePtr& n) {
    auto it = m_done.find(n.get());
    if (it != m_done.end()) return it->second;
    NodePtr r = rule(n);
    m_done.emplace(n.get(), r);
    return r;
  }

 private:
  char m_var;
  std::unordered_map<const Node*, NodePtr> m_done;

  NodePtr rule(const NodePtr& n) {
    const NodePtr& a = n->a;
    const NodePtr& b = n->b;
    switch (n->op) {
      case Op::num: return num(0.0);
      case Op::x: return num(m_var == 'x' ? 1.0 : 0.0);
      case Op::y: return num(m_var == 'y' ? 1.0 : 0.0);
      case Op::t: return num(m_var == 't' ? 1.0 : 0.0);
      case Op::neg: return neg(d(a));
      case Op::add: return add(d(a), d(b));
      case Op::sub: return sub(d(a), d(b));
      case Op::mul: return add(mul(d(a), b), mul(a, d(b)));
      case Op::div: {  // a'/b - a b'/b^2
        const NodePtr db = d(b);
        return sub(div(d(a), b), div(mul(a, db), pow(b, num(2.0))));
      }
      case Op::pow: {
        const NodePtr da = d(a), db = d(b);
        if (is_num(db, 0)) return mul(mul(b, pow(a, sub(b, num(1.0)))), da);  // b a^(b-1) a'
        // a^b (b' log a + b a'/a)
        return mul(n, add(mul(db, fn(Fn::log, a)), div(mul(b, da), a)));
      }
      case Op::fn: return mul(outer(n), d(a));
    }
    return num(0.0);
  }

  // f'(a) for n = f(a).
  static NodePtr outer(const NodePtr& n) {
    const NodePtr& a = n->a;
    switch (n->fn) {
      case Fn::sin: return fn(Fn::cos, a);
      case Fn::cos: return neg(fn(Fn::sin, a));
      case Fn::tan: return add(num(1.0), pow(n, num(2.0)));
      case Fn::exp: return n;
      case Fn::log: return div(num(1.0), a);
      case Fn::sqrt: return div(num(0.5), n);
      case Fn::tanh: return sub(num(1.0), pow(n, num(2.0)));
      case Fn::sinh: return fn(Fn::cosh, a);
      case Fn::cosh: return fn(Fn::sinh, a);
      case Fn::abs: return fn(Fn::sign, a);
      case Fn::sigmoid: return mul(n, sub(num(1.0), n));
      case Fn::sign: return num(0.0);  // almost everywhere
    }
    return num(0.0);
  }
};

// Binding strength when printed: sum < product < unary minus < power < atom.
int precedence(const Node& n) {
  switch (n.op) {
    case Op::add:
    case Op::sub: return 1;
    case Op::mul:
    case Op::div: return 2;
    case Op::neg: return 3;
    case Op::pow: return 4;
    case Op::num: return n.value < 0 || std::signbit(n.value) ? 3 : 5;
    default: return 5;
  }
}

std::string number_text(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

struct Printer {
  std::string& out;
  std::size_t max_chars;

  // Print `n` in parentheses unless it binds at least as strongly as `need`.
  void operand(const NodePtr& n, int need) {
    if (precedence(*n) >= need) return print_to(n);
    out += '(';
    print_to(n);
    out += ')';
  }

  void print_to(const NodePtr& n);
};

void Printer::print_to(const NodePtr& n) {
  if (out.size() > max_chars) return;  // over budget: the caller gives up
  switch (n->op) {
    case Op::num:
      if (!std::isfinite(n->value)) {  // no literal for these: write an expression with that value
        out += std::isnan(n->value) ? "(0/0)" : n->value > 0 ? "(1/0)" : "(-1/0)";
      } else {
        out += number_text(n->value);
      }
      return;
    case Op::x: out += 'x'; return;
    case Op::y: out += 'y'; return;
    case Op::t: out += 't'; return;
    case Op::neg:
      out += '-';
      operand(n->a, 3);
      return;
    case Op::fn:
      out += function_name(n->fn);
      out += '(';
      print_to(n->a);
      out += ')';
      return;
    case Op::pow:
      operand(n->a, 5);  // the base is a primary
      out += '^';
      operand(n->b, 3);  // the exponent may be signed: 2^-x
      return;
    default: break;
  }
  // Left-associative binary operators: the right operand of - and / must bind tighter.
  const int p = precedence(*n);
  if (n->op == Op::add && n->b->op == Op::num && n->b->value < 0) {  // a + (-2) reads a - 2
    operand(n->a, p);
    out += " - ";
    out += number_text(-n->b->value);
    return;
  }
  const bool strict = n->op == Op::sub || n->op == Op::div;
  operand(n->a, p);
  out += n->op == Op::add ? " + " : n->op == Op::sub ? " - " : n->op == Op::mul ? "*" : "/";
  operand(n->b, strict ? p + 1 : p);
}

// Structural identity of a node whose operands are already canonical.
struct Key {
  Op op;
  Fn fn;
  std::uint64_t bits;  // the constant's bit pattern (so -0 and 0, NaNs stay apart)
  const Node* a;
  const Node* b;
  bool operator==(const Key& o) const {
    return op == o.op && fn == o.fn && bits == o.bits && a == o.a && b == o.b;
  }
};

struct KeyHash {
  std::size_t operator()(const Key& k) const {
    std::size_t h = std::hash<std::uint64_t>()(k.bits);
    auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); };
    mix(std::size_t(k.op));
    mix(std::size_t(k.fn));
    mix(std::hash<const Node*>()(k.a));
    mix(std::hash<const Node*>()(k.b));
    return h;
  }
};

class Canonicaliser {
 public:
  NodePtr run(const NodePtr& n) {
    auto done = m_done.find(n.get());
    if (done != m_done.end()) return done->second;
    NodePtr a = n->a ? run(n->a) : nullptr;
    NodePtr b = n->b ? run(n->b) : nullptr;
    std::uint64_t bits = 0;
    if (n->op == Op::num) std::memcpy(&bits, &n->value, sizeof bits);
    const Key key{n->op, n->op == Op::fn ? n->fn : Fn::sin, bits, a.get(), b.get()};
    auto seen = m_unique.find(key);
    NodePtr r;
    if (seen != m_unique.end()) {
      r = seen->second;
    } else {
      if (a == n->a && b == n->b) {
        r = n;
      } else {
        auto copy = std::make_shared<Node>(*n);
        copy->a = a;
        copy->b = b;
        r = copy;
      }
      m_unique.emplace(key, r);
    }
    m_done.emplace(n.get(), r);
    return r;
  }

 private:
  std::unordered_map<const Node*, NodePtr> m_done;
  std::unordered_map<Key, NodePtr, KeyHash> m_unique;
};

}  // namespace

NodePtr derivative(const NodePtr& n, char var) { return Differentiator(var).d(n); }

NodePtr canonical(const NodePtr& n) { return Canonicaliser().run(n); }

bool print(const NodePtr& n, std::size_t max_chars, std::string& out) {
  out.clear();
  Printer{out, max_chars}.print_to(n);
  return out.size() <= max_chars;
}

}  // namespace nnfield::expr_detail
