#pragma once
// The syntax tree of an Expression (include/nnfield/numerics/expression.hpp): immutable nodes
// shared between an expression and its derivatives. Private to src/expression*.cpp.
#include <memory>
#include <string>

namespace nnfield::expr_detail {

enum class Op : unsigned char { num, x, y, t, neg, add, sub, mul, div, pow, fn };
enum class Fn : unsigned char { sin, cos, tan, exp, log, sqrt, tanh, sinh, cosh, abs, sigmoid, sign };

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  Op op = Op::num;
  Fn fn = Fn::sin;     // op == fn
  double value = 0.0;  // op == num
  NodePtr a, b;        // operands (a only for neg and fn)
  int depth = 1;       // of the tree below (an upper bound after merging): the recursions' depth
};

// The function called `name`, if there is one.
bool function_named(const std::string& name, Fn& out);
const char* function_name(Fn f);
double apply(Fn f, double v);

// Constructors that simplify as they build: constants fold, 0*a -> 0, 1*a -> a, a+0 -> a,
// a^1 -> a, -(-a) -> a, constant factors gather on the left. This is what keeps the
// 6th derivative of a product a readable size instead of a tree of zeros and ones.
NodePtr num(double v);
NodePtr var(char name);  // 'x', 'y' or 't'
NodePtr neg(NodePtr a);
NodePtr add(NodePtr a, NodePtr b);
NodePtr sub(NodePtr a, NodePtr b);
NodePtr mul(NodePtr a, NodePtr b);
NodePtr div(NodePtr a, NodePtr b);
NodePtr pow(NodePtr a, NodePtr b);
NodePtr fn(Fn f, NodePtr a);

bool is_num(const NodePtr& n, double v);

NodePtr derivative(const NodePtr& n, char var);

// The same function with structurally equal subtrees merged into one node. Derivatives
// of products repeat their factors: without merging, the k-th derivative's tree grows
// exponentially in k; merged, the simplifications a - a -> 0, a + a -> 2 a, a a -> a^2
// see equal operands as the same pointer, and the compiled program computes each
// distinct subexpression once.
NodePtr canonical(const NodePtr& n);

// A text that parses back to the same function (minimal parentheses, shortest
// round-trip numbers). False, with `out` unspecified, if it would exceed max_chars
// (the tree of a high derivative, printed without sharing, can be huge).
bool print(const NodePtr& n, std::size_t max_chars, std::string& out);

}  // namespace nnfield::expr_detail
