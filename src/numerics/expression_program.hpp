#pragma once
// The compiled form of an Expression's tree (private to src/expression*.cpp).
#include <memory>

#include "numerics/expression_node.hpp"

namespace nnfield::expr_detail {

struct Program;

std::shared_ptr<const Program> compile(const NodePtr& root);
double run(const Program& p, double x, double y, double t);  // no allocation (up to 128 live values)
bool uses(const Program& p, char var);  // reads x ('x'), y ('y') or t ('t')

}  // namespace nnfield::expr_detail
