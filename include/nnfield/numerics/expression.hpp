#pragma once
// Closed-form continuum fields written in model files: "0.3*sin(2*pi*y) + 0.1*x^2 - tanh(x)".
//
// Grammar (recursive descent, lowest precedence first):
//
//   sum     := product (('+' | '-') product)*
//   product := unary (('*' | '/') unary)*
//   unary   := ('-' | '+') unary | power
//   power   := primary ('^' unary)?          right associative: 2^3^2 = 2^9; -2^2 = -(2^2)
//   primary := number | x | y | t | pi | e | function '(' sum ')' | '(' sum ')'
//
// Functions: sin cos tan exp log sqrt tanh sinh cosh abs sigmoid (and sign, which
// d/dx abs produces). Numbers: 2, 2.5, .5, 1e-3, 2.5E+4.
//
// The field solver evaluates a field and its depth derivatives (the Taylor shifts of
// docs/field-limit.md section 3) at every grid point, so an expression is compiled once
// to a flat program (one instruction per distinct subexpression, on a small fixed
// register file: no allocation per call), and derivatives are symbolic (exact, no
// finite-difference error of their own).
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace nnfield {

// Limits on an expression's text, so that parsing and the tree algebra (which recurse)
// stay within the stack, sanitizer builds and worker threads included: its length in
// characters, how deeply parentheses, function calls, signs and powers nest, and the
// depth of its tree (a sum of n terms is a tree of depth n).
constexpr std::size_t kMaxExpressionLength = 10000;
constexpr int kMaxExpressionNesting = 64;
constexpr int kMaxExpressionDepth = 512;

// A malformed expression: what() is "<what is wrong> at column <n>", column 1-based in the text.
class ExpressionError : public std::runtime_error {
 public:
  ExpressionError(std::string msg, int column);
  int column() const { return m_column; }

 private:
  int m_column;
};

namespace expr_detail {
struct Node;
struct Program;
}  // namespace expr_detail

class Expression {
 public:
  Expression();  // the constant 0

  // Variables x, y and t; constants pi, e. Throws ExpressionError. t is the time of a
  // moving data source (continuum.X, Y, misfit: data/source_motion.hpp); fields of (x, y)
  // alone are evaluated at t = 0, and the model-file checks refuse t in the other fields.
  static Expression parse(const std::string& text);
  static Expression constant(double v);

  double operator()(double x, double y, double t = 0.0) const;

  // d/dx (var = 'x'), d/dy (var = 'y') or d/dt (var = 't'), symbolically, with light simplification
  // (constant folding, 0*a -> 0, 1*a -> a, a+0 -> a, ...) so repeated derivatives stay small.
  Expression derivative(char var) const;

  // The text it was parsed from; for derived expressions, a printed form that parses back
  // to the same function, or, beyond 2000 characters (high derivatives of compositions),
  // a name such as "d/dx(d/dx(tanh(x*y)))" that does not parse.
  const std::string& text() const { return m_text; }
  bool depends_on(char var) const;

 private:
  using NodePtr = std::shared_ptr<const expr_detail::Node>;
  Expression(NodePtr root, std::string text);

  // Shared and immutable, so copies are cheap and concurrent evaluation is safe.
  NodePtr m_root;
  std::shared_ptr<const expr_detail::Program> m_program;
  std::string m_text;
};

}  // namespace nnfield
