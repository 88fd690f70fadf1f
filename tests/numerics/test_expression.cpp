// Expressions of (x, y) in model files: values, precedence, symbolic derivatives
// (against central differences and closed forms) and the error for every kind of
// malformed text, with its column.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "nnfield/numerics/expression.hpp"
#include "nnfield/numerics/smooth_field.hpp"

using nnfield::Expression;
using nnfield::ExpressionError;

namespace {

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

struct Case {
  std::string text;
  std::function<double(double, double)> f;
};

// Every function, constant and operator, against the same formula written in C++.
const std::vector<Case>& value_cases() {
  static const std::vector<Case> cases = {
      {"0.3*sin(2*pi*y) + 0.1*x^2 - tanh(x)",
       [](double x, double y) { return 0.3 * std::sin(2 * M_PI * y) + 0.1 * x * x - std::tanh(x); }},
      {"cos(x)*exp(-y)", [](double x, double y) { return std::cos(x) * std::exp(-y); }},
      {"tan(x/3) + log(2 + y)", [](double x, double y) { return std::tan(x / 3) + std::log(2 + y); }},
      {"sqrt(1 + x^2 + y^2)", [](double x, double y) { return std::sqrt(1 + x * x + y * y); }},
      {"sinh(x) - cosh(y)/2", [](double x, double y) { return std::sinh(x) - std::cosh(y) / 2; }},
      {"abs(x - y) * sigmoid(3*x)", [](double x, double y) { return std::fabs(x - y) * sigmoid(3 * x); }},
      {"e^x + pi", [](double x, double) { return std::exp(x) + M_PI; }},
      {"1e-3*x + 2.5E+1*y - .5", [](double x, double y) { return 1e-3 * x + 25.0 * y - 0.5; }},
      {"(x + y)*(x - y)/(1 + x*x)", [](double x, double y) { return (x + y) * (x - y) / (1 + x * x); }},
      {"x^y", [](double x, double y) { return std::pow(x, y); }},
      {"-x^2 + +y", [](double x, double y) { return -x * x + y; }},
      {"  2 ^ (x/2) * sin( 3 * y )  ", [](double x, double y) { return std::pow(2.0, x / 2) * std::sin(3 * y); }},
      {"x - y - 1 - x/y/2", [](double x, double y) { return x - y - 1 - x / y / 2; }},
      {"tanh(tanh(x*y))^3", [](double x, double y) { return std::pow(std::tanh(std::tanh(x * y)), 3); }},
  };
  return cases;
}

const double kPoints[][2] = {{0.3, 0.7}, {1.2, 0.25}, {0.05, 1.9}, {2.0, 0.5}};

double central_dx(const Expression& f, double x, double y, double h) { return (f(x + h, y) - f(x - h, y)) / (2 * h); }
double central_dy(const Expression& f, double x, double y, double h) { return (f(x, y + h) - f(x, y - h)) / (2 * h); }

// The ExpressionError `text` raises, checking its column and that its message has `what`.
void check_error(const std::string& text, const std::string& what, int column) {
  INFO("expression '" << text << "'");
  try {
    Expression::parse(text);
    FAIL("parsed without error");
  } catch (const ExpressionError& e) {
    INFO("message: " << e.what());
    CHECK(e.column() == column);
    CHECK(std::string(e.what()).find(what) != std::string::npos);
    CHECK(std::string(e.what()).find("at column " + std::to_string(column)) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("expression: values equal the same formula in C++", "[expression]") {
  for (const Case& c : value_cases()) {
    const Expression e = Expression::parse(c.text);
    CHECK(e.text() == c.text);
    for (const auto& p : kPoints) {
      INFO(c.text << " at (" << p[0] << ", " << p[1] << ")");
      CHECK(e(p[0], p[1]) == Approx(c.f(p[0], p[1])).epsilon(1e-14).margin(1e-15));
    }
  }
  CHECK(Expression()(0.4, 0.2) == 0.0);
  CHECK(Expression::constant(-2.5)(1.0, 1.0) == -2.5);
  CHECK(Expression::parse("sigmoid(-800)")(0, 0) == 0.0);  // no overflow on either side
  CHECK(Expression::parse("sigmoid(800)")(0, 0) == 1.0);
}

TEST_CASE("expression: precedence and associativity", "[expression]") {
  auto v = [](const std::string& t) { return Expression::parse(t)(3.0, 0.5); };
  CHECK(v("2^3^2") == 512.0);  // right associative
  CHECK(v("(2^3)^2") == 64.0);
  CHECK(v("-2^2") == -4.0);    // unary minus binds looser than ^
  CHECK(v("(-2)^2") == 4.0);
  CHECK(v("2^-1") == 0.5);
  CHECK(v("-x^2") == -9.0);
  CHECK(v("2*3+4") == 10.0);
  CHECK(v("2+3*4") == 14.0);
  CHECK(v("8/4/2") == 1.0);    // left associative
  CHECK(v("2-3-4") == -5.0);
  CHECK(v("2*-3") == -6.0);
  CHECK(v("- -x") == 3.0);
  CHECK(v("2*x^2/4") == 4.5);
}

TEST_CASE("expression: which variables it depends on", "[expression]") {
  CHECK(Expression::parse("x + 1").depends_on('x'));
  CHECK_FALSE(Expression::parse("x + 1").depends_on('y'));
  CHECK_FALSE(Expression::parse("2*pi").depends_on('x'));
  CHECK(Expression::parse("sin(y)").derivative('y').depends_on('y'));
  CHECK_FALSE(Expression::parse("3*y").derivative('y').depends_on('y'));
  CHECK_FALSE(Expression::parse("sin(x)*y").derivative('y').depends_on('y'));
}

TEST_CASE("expression: symbolic derivatives against central differences", "[expression]") {
  for (const Case& c : value_cases()) {
    const Expression f = Expression::parse(c.text);
    const Expression fx = f.derivative('x'), fy = f.derivative('y');
    const Expression fxx = fx.derivative('x'), fxy = fx.derivative('y'), fyy = fy.derivative('y');
    for (const auto& p : kPoints) {
      const double x = p[0], y = p[1];
      INFO(c.text << " at (" << x << ", " << y << "); d/dx = " << fx.text());
      if (c.text.find("abs") != std::string::npos && std::fabs(x - y) < 1e-3) continue;  // the kink
      CHECK(fx(x, y) == Approx(central_dx(f, x, y, 1e-5)).epsilon(1e-7).margin(1e-8));
      CHECK(fy(x, y) == Approx(central_dy(f, x, y, 1e-5)).epsilon(1e-7).margin(1e-8));
      CHECK(fxx(x, y) == Approx(central_dx(fx, x, y, 1e-5)).epsilon(1e-7).margin(1e-8));
      CHECK(fxy(x, y) == Approx(central_dy(fx, x, y, 1e-5)).epsilon(1e-7).margin(1e-8));
      CHECK(fyy(x, y) == Approx(central_dy(fy, x, y, 1e-5)).epsilon(1e-7).margin(1e-8));
      // d2/dx2 also against a second difference of f itself, independently of fx.
      const double h = 1e-4;
      CHECK(fxx(x, y) == Approx((f(x + h, y) - 2 * f(x, y) + f(x - h, y)) / (h * h)).epsilon(1e-5).margin(1e-5));
    }
  }
}

TEST_CASE("expression: the 4th x-derivative of sin(3x) cos(2 pi y) is 81 sin(3x) cos(2 pi y)", "[expression]") {
  Expression d = Expression::parse("sin(3*x)*cos(2*pi*y)");
  for (int n = 0; n < 4; ++n) d = d.derivative('x');
  INFO("d4/dx4 = " << d.text());
  for (const auto& p : kPoints) {
    const double exact = 81.0 * std::sin(3 * p[0]) * std::cos(2 * M_PI * p[1]);
    CHECK(d(p[0], p[1]) == Approx(exact).epsilon(1e-13).margin(1e-13));
  }
  CHECK(d.text().size() < 60);  // simplification keeps it one product, not a tree of zeros
  CHECK_FALSE(d.depends_on('z'));
}

TEST_CASE("expression: repeated derivatives stay small and print back to themselves", "[expression]") {
  // The field solver precomputes d^nx/dx^nx d^ny/dy^ny for nx <= 6, ny <= 4.
  for (const Case& c : value_cases()) {
    Expression d = Expression::parse(c.text);
    for (int n = 0; n < 6; ++n) d = d.derivative('x');
    for (int n = 0; n < 4; ++n) d = d.derivative('y');
    INFO(c.text << ": d^10 = " << d.text().substr(0, 200));
    CHECK(d.text().size() <= 2000);
    if (d.text().rfind("d/d", 0) == 0) continue;  // too long to print: named, not written out
    const Expression back = Expression::parse(d.text());
    for (const auto& p : kPoints) {
      const double a = d(p[0], p[1]), b = back(p[0], p[1]);
      if (std::isfinite(a)) CHECK(b == Approx(a).epsilon(1e-9).margin(1e-9));
    }
  }
}

TEST_CASE("expression: every malformed text names what is wrong and its column", "[expression]") {
  check_error("sinn(x)", "unknown function 'sinn'", 1);
  check_error("0.3*sinn(x)", "unknown function 'sinn'", 5);
  check_error("x + z", "unknown variable 'z'", 5);
  check_error("x +", "unexpected end", 4);
  check_error("sin(x", "unexpected end", 6);
  check_error("(x + 1", "'(' at column 1 is not closed", 7);
  check_error("", "empty expression", 1);
  check_error("   ", "empty expression", 4);
  check_error("2*)", "unexpected ')'", 3);
  check_error("x)", "unmatched ')'", 2);
  check_error("x y", "expected an operator before 'y'", 3);
  check_error("2 # 3", "expected an operator before '#'", 3);
  check_error("#", "unexpected '#'", 1);
  check_error("sin x", "function 'sin' needs an argument", 1);
  check_error("1 + x(2)", "'x' is not a function", 5);
  check_error("2x", "malformed number '2x'", 1);
  check_error("1.2.3", "malformed number '1.2.3'", 1);
  check_error("y*1e+", "malformed number '1e+'", 3);
  check_error("1e999", "out of range", 1);
  check_error("(x*(y)", "not closed", 7);
  check_error("sin(x y)", "expected ')' before 'y'", 7);
}

TEST_CASE("expression: SmoothField adds an expression and its analytic derivatives", "[expression]") {
  using nnfield::SmoothField;
  const double Lx = 2.0, Ly = 1.5;
  SmoothField f(Lx, Ly);
  f.set_mean(0.25);
  f.add_mode(1, 2, 0.3, 0.7);
  SmoothField modes_only = f;
  f.set_expression(Expression::parse("sin(3*x)*cos(2*pi*y) + x^2*y"));
  const SmoothField copy = f;  // shares the derivative table
  auto e = [](int nx, int ny, double x, double y) {
    // d^nx/dx^nx d^ny/dy^ny of sin(3x) cos(2 pi y) + x^2 y, by hand.
    const double sx[] = {std::sin(3 * x), 3 * std::cos(3 * x), -9 * std::sin(3 * x), -27 * std::cos(3 * x)};
    const double k = 2 * M_PI;
    const double cy[] = {std::cos(k * y), -k * std::sin(k * y), -k * k * std::cos(k * y)};
    const double px[] = {x * x, 2 * x, 2.0, 0.0};
    const double py[] = {y, 1.0, 0.0};
    return sx[nx] * cy[ny] + px[nx] * py[ny];
  };
  for (const auto& p : kPoints) {
    const double x = p[0], y = p[1];
    CHECK(f(x, y) == Approx(modes_only(x, y) + e(0, 0, x, y)).epsilon(1e-14));
    CHECK(copy(x, y) == f(x, y));
    for (int nx = 0; nx <= 3; ++nx)
      for (int ny = 0; ny <= 2; ++ny) {
        if (nx + ny == 0) continue;
        INFO("d^" << nx << "/dx d^" << ny << "/dy at (" << x << ", " << y << ")");
        CHECK(f.derivative(nx, ny, x, y) ==
              Approx(modes_only.derivative(nx, ny, x, y) + e(nx, ny, x, y)).epsilon(1e-12).margin(1e-12));
      }
    // Beyond the precomputed table: 8th x-derivative of sin(3x) cos(2 pi y) is 3^8 sin(3x) cos(2 pi y).
    CHECK(f.derivative(8, 0, x, y) ==
          Approx(modes_only.derivative(8, 0, x, y) + 6561 * std::sin(3 * x) * std::cos(2 * M_PI * y)).epsilon(1e-11));
  }
}

TEST_CASE("expression: overlong and deeply nested texts fail cleanly instead of overflowing the stack", "[expression]") {
  std::string sum = "x";
  while (sum.size() < 100000) sum += "+x";
  CHECK_THROWS_WITH(Expression::parse(sum), Catch::Contains("characters long (at most 10000)"));
  const std::string nested = std::string(20000, '(') + "x" + std::string(20000, ')');
  CHECK_THROWS_WITH(Expression::parse(nested), Catch::Contains("(at most 10000)"));
  const std::string deep = std::string(65, '(') + "x" + std::string(65, ')');
  CHECK_THROWS_WITH(Expression::parse(deep), Catch::Contains("nested deeper than 64 levels"));
  CHECK_THROWS_WITH(Expression::parse(std::string(100, '-') + "x"), Catch::Contains("nested deeper than 64"));
  std::string powers = "x";
  for (int i = 0; i < 100; ++i) powers += "^x";
  CHECK_THROWS_WITH(Expression::parse(powers), Catch::Contains("nested deeper than 64"));
  // A chain of operations is a tree as deep as it is long: bounded by its own limit.
  const int most = nnfield::kMaxExpressionDepth;
  std::string chain = "x";
  for (int i = 1; i < most + 1; ++i) chain += "*x";
  CHECK_THROWS_WITH(Expression::parse(chain), Catch::Contains("more than 512 operations in a chain"));
  // Within the limits: the longest chains allowed, and 64 levels, parse, differentiate
  // (as the field solver does, to 6th order) and evaluate.
  std::string terms = "x", product = "sin(x)";
  for (int i = 1; i < most; ++i) terms += "+x";
  for (int i = 1; i < most / 2; ++i) product += "*sin(x+" + std::to_string(i) + ")";
  const Expression e = Expression::parse(terms);
  CHECK(e(1.0, 0.0) == Approx(double(most)));
  CHECK(e.derivative('x')(0.5, 0.0) == Approx(double(most)));
  nnfield::SmoothField field(1.0, 1.0);
  field.set_expression(Expression::parse(product));
  CHECK(std::isfinite(field(0.3, 0.2)));
  const std::string ok = std::string(64, '(') + "x" + std::string(64, ')');
  CHECK(Expression::parse(ok)(2.0, 0.0) == 2.0);
}

TEST_CASE("expression: the time t of a moving source, its derivatives symbolic", "[expression]") {
  // continuum.X = "sin(2*pi*y)*cos(t)" (data/source_motion.hpp): a third variable, 0 unless
  // given, with d/dt exact (against central differences) and d/dx, d/dy blind to it.
  const Expression f = Expression::parse("sin(2*pi*y)*cos(3*t) + x*t^2");
  CHECK(f.depends_on('t'));
  CHECK(!Expression::parse("sin(2*pi*y) + x").depends_on('t'));
  const Expression ft = f.derivative('t'), ftt = ft.derivative('t');
  for (const double t : {0.0, 0.3, 1.7}) {
    const double x = 0.4, y = 0.15, h = 1e-5;
    CHECK(f(x, y, t) == Approx(std::sin(2 * M_PI * y) * std::cos(3 * t) + x * t * t).epsilon(1e-14));
    CHECK(ft(x, y, t) == Approx((f(x, y, t + h) - f(x, y, t - h)) / (2 * h)).epsilon(1e-7).margin(1e-8));
    CHECK(ftt(x, y, t) == Approx(-9 * std::sin(2 * M_PI * y) * std::cos(3 * t) + 2 * x).epsilon(1e-12).margin(1e-13));
  }
  CHECK(f(0.4, 0.15) == f(0.4, 0.15, 0.0));  // a field of (x, y) is evaluated at t = 0
  CHECK(f.derivative('x')(0.4, 0.15, 2.0) == Approx(4.0).epsilon(1e-15));
  CHECK(Expression::parse(ft.text())(0.4, 0.15, 0.7) == Approx(ft(0.4, 0.15, 0.7)).epsilon(1e-12));
}
