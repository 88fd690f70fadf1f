// Expressions of (x, y, t): the recursive-descent parser and the Expression class. The
// tree algebra is in expression_algebra.cpp, the compiled program in expression_program.cpp.
#include "nnfield/numerics/expression.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "numerics/expression_node.hpp"
#include "numerics/expression_program.hpp"

namespace nnfield {
namespace {
// Derivatives print their formula up to this length; longer ones (high derivatives of
// compositions) are named "d/dx(...)" instead: their text is for people, and the
// compiled program, which shares subexpressions, is what gets evaluated.
constexpr std::size_t kMaxText = 2000;
}  // namespace

ExpressionError::ExpressionError(std::string msg, int column)
    : std::runtime_error(msg + " at column " + std::to_string(column)), m_column(column) {}

namespace expr_detail {
namespace {

// --- parser (grammar in expression.hpp) -----------------------------------------------

class Parser {
 public:
  explicit Parser(const std::string& text) : m_s(text) {}

  NodePtr parse() {
    // Bounded before parsing: the parser and the tree's algebra recurse, so an unbounded
    // text ("x+x+...", "((((...") would overflow the stack instead of failing.
    if (m_s.size() > kMaxExpressionLength)
      fail("expression is " + std::to_string(m_s.size()) + " characters long (at most " +
               std::to_string(kMaxExpressionLength) + ")",
           kMaxExpressionLength);
    skip_space();
    if (at_end()) fail("empty expression", m_pos);
    NodePtr n = sum();
    skip_space();
    if (!at_end()) {
      if (m_s[m_pos] == ')') fail("unmatched ')'", m_pos);
      fail("expected an operator before '" + token_at(m_pos) + "'", m_pos);
    }
    return n;
  }

 private:
  const std::string& m_s;
  std::size_t m_pos = 0;
  int m_depth = 0;  // open parentheses, calls, signs and powers around m_pos

  // Counts one level of nesting for its lifetime; fails beyond kMaxExpressionNesting.
  struct Nest {
    Nest(Parser& p, std::size_t at) : parser(p) {
      if (++parser.m_depth > kMaxExpressionNesting)
        parser.fail("nested deeper than " + std::to_string(kMaxExpressionNesting) + " levels", at);
    }
    ~Nest() { --parser.m_depth; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;
    Parser& parser;
  };

  bool at_end() const { return m_pos >= m_s.size(); }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(m_s[m_pos]))) ++m_pos;
  }
  // Consumes `c` (after spaces) if it is next.
  bool accept(char c) {
    skip_space();
    if (at_end() || m_s[m_pos] != c) return false;
    ++m_pos;
    return true;
  }

  [[noreturn]] void fail(const std::string& what, std::size_t at) const {
    throw ExpressionError(what, int(at) + 1);
  }

  static bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
  static bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

  // The word or character at `at`, for messages.
  std::string token_at(std::size_t at) const {
    std::size_t end = at + 1;
    if (ident_start(m_s[at]) || std::isdigit(static_cast<unsigned char>(m_s[at])) || m_s[at] == '.')
      while (end < m_s.size() && (ident_char(m_s[end]) || m_s[end] == '.')) ++end;
    return m_s.substr(at, end - at);
  }

  NodePtr sum() { return left_associative(&Parser::product, '+', Op::add, '-', Op::sub); }
  NodePtr product() { return left_associative(&Parser::unary, '*', Op::mul, '/', Op::div); }

  // One precedence level of two left-associative operators: operand (op operand)*,
  // so 1 - 2 - 3 = (1 - 2) - 3 and 8 / 4 / 2 = (8 / 4) / 2.
  NodePtr left_associative(NodePtr (Parser::*operand)(), char c1, Op op1, char c2, Op op2) {
    NodePtr n = (this->*operand)();
    for (;;) {
      if (accept(c1))
        n = make_binary(op1, n, (this->*operand)());
      else if (accept(c2))
        n = make_binary(op2, n, (this->*operand)());
      else
        return n;
    }
  }

  // Unary minus binds looser than ^: -2^2 = -(2^2) = -4, as in mathematics.
  NodePtr unary() {
    const std::size_t at = m_pos;
    if (accept('-')) {
      const Nest nest(*this, at);
      return bounded(neg(unary()));
    }
    if (accept('+')) {
      const Nest nest(*this, at);
      return unary();
    }
    return power();
  }

  // Right associative: the exponent is a whole unary, so 2^3^2 = 2^(3^2) and 2^-1 work.
  NodePtr power() {
    NodePtr base = primary();
    const std::size_t at = m_pos;
    if (accept('^')) {
      const Nest nest(*this, at);
      return make_binary(Op::pow, base, unary());
    }
    return base;
  }

  // The parsed tree keeps the user's structure; only constants fold (pi*2 -> 6.28...).
  NodePtr make_binary(Op op, NodePtr a, NodePtr b) const {
    switch (op) {
      case Op::add: return bounded(add(std::move(a), std::move(b)));
      case Op::sub: return bounded(sub(std::move(a), std::move(b)));
      case Op::mul: return bounded(mul(std::move(a), std::move(b)));
      case Op::div: return bounded(div(std::move(a), std::move(b)));
      default: return bounded(pow(std::move(a), std::move(b)));
    }
  }

  // Fails as soon as the tree grows deeper than kMaxExpressionDepth, so that no deeper
  // tree is ever built (or has to be destroyed, which recurses too).
  NodePtr bounded(NodePtr n) const {
    if (n->depth > kMaxExpressionDepth)
      fail("more than " + std::to_string(kMaxExpressionDepth) + " operations in a chain (a tree deeper than " +
               std::to_string(kMaxExpressionDepth) + " levels)",
           m_pos);
    return n;
  }

  NodePtr primary() {
    skip_space();
    if (at_end()) fail("unexpected end of expression", m_pos);
    const char c = m_s[m_pos];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number();
    if (ident_start(c)) return identifier();
    if (c == '(') {
      const Nest nest(*this, m_pos);
      const std::size_t open = m_pos++;
      NodePtr n = sum();
      close(open);
      return n;
    }
    fail("unexpected '" + std::string(1, c) + "'", m_pos);
  }

  void close(std::size_t open) {
    skip_space();
    if (at_end()) fail("unexpected end of expression: '(' at column " + std::to_string(open + 1) + " is not closed", m_pos);
    if (m_s[m_pos] != ')') fail("expected ')' before '" + token_at(m_pos) + "'", m_pos);
    ++m_pos;
  }

  // digits [. digits] [(e|E) [+|-] digits], or . digits ...
  NodePtr number() {
    const std::size_t start = m_pos;
    auto digits = [&] {
      std::size_t n = 0;
      while (!at_end() && std::isdigit(static_cast<unsigned char>(m_s[m_pos]))) ++m_pos, ++n;
      return n;
    };
    std::size_t count = digits();
    if (!at_end() && m_s[m_pos] == '.') {
      ++m_pos;
      count += digits();
    }
    if (count == 0) fail("malformed number '" + token_at(start) + "'", start);
    if (!at_end() && (m_s[m_pos] == 'e' || m_s[m_pos] == 'E')) {
      const std::size_t mark = m_pos++;
      if (!at_end() && (m_s[m_pos] == '+' || m_s[m_pos] == '-')) ++m_pos;
      if (digits() == 0) {
        // "2e" or "2ex": an exponent that never came. "2*e" is how to write 2e.
        while (!at_end() && (ident_char(m_s[m_pos]) || m_s[m_pos] == '+' || m_s[m_pos] == '-') && m_pos < mark + 2) ++m_pos;
        fail("malformed number '" + m_s.substr(start, m_pos - start) + "'", start);
      }
    }
    if (!at_end() && (ident_char(m_s[m_pos]) || m_s[m_pos] == '.'))
      fail("malformed number '" + token_at(start) + "'", start);
    const std::string text = m_s.substr(start, m_pos - start);
    const double v = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(v)) fail("number '" + text + "' is out of range", start);
    return num(v);
  }

  NodePtr identifier() {
    const std::size_t start = m_pos;
    while (!at_end() && ident_char(m_s[m_pos])) ++m_pos;
    const std::string name = m_s.substr(start, m_pos - start);
    skip_space();
    const bool call = !at_end() && m_s[m_pos] == '(';
    Fn f;
    if (function_named(name, f)) {
      if (!call) fail("function '" + name + "' needs an argument in parentheses: " + name + "(...)", start);
      const Nest nest(*this, m_pos);
      const std::size_t open = m_pos++;
      NodePtr arg = sum();
      close(open);
      return bounded(fn(f, std::move(arg)));
    }
    NodePtr value;
    if (name == "x" || name == "y" || name == "t")
      value = var(name[0]);
    else if (name == "pi")
      value = num(M_PI);
    else if (name == "e")
      value = num(M_E);
    if (value && call) fail("'" + name + "' is not a function", start);
    if (value) return value;
    if (call) fail("unknown function '" + name + "'", start);
    fail("unknown variable '" + name + "' (the variables are x, y and t)", start);
  }
};

}  // namespace
}  // namespace expr_detail

using namespace expr_detail;

Expression::Expression() : Expression(num(0.0), "0") {}

Expression::Expression(NodePtr root, std::string text)
    : m_root(canonical(root)), m_program(compile(m_root)), m_text(std::move(text)) {}

Expression Expression::parse(const std::string& text) { return Expression(Parser(text).parse(), text); }

Expression Expression::constant(double v) {
  NodePtr n = num(v);
  std::string text;
  print(n, 64, text);
  return Expression(std::move(n), std::move(text));
}

double Expression::operator()(double x, double y, double t) const { return run(*m_program, x, y, t); }

Expression Expression::derivative(char var) const {
  if (var != 'x' && var != 'y' && var != 't')
    throw std::invalid_argument("Expression::derivative: the variables are 'x', 'y' and 't'");
  NodePtr d = expr_detail::derivative(m_root, var);
  std::string text;
  if (!print(d, kMaxText, text)) text = std::string("d/d") + var + "(" + m_text + ")";
  return Expression(std::move(d), std::move(text));
}

bool Expression::depends_on(char var) const { return uses(*m_program, var); }

}  // namespace nnfield
