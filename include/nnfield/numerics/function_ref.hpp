#pragma once
// A non-owning reference to a callable: what std::function is for call-backs that never
// outlive the call, without its copy and (for captures beyond a couple of pointers) heap
// allocation. The depth schemes call back once per stage, thousands of times per sweep.
#include <type_traits>
#include <utility>

namespace nnfield {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f)  // NOLINT: implicit, like std::function
      : m_object(const_cast<void*>(static_cast<const void*>(&f))),
        m_call([](void* o, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<Args>(args)...);
        }) {}
  R operator()(Args... args) const { return m_call(m_object, std::forward<Args>(args)...); }

 private:
  void* m_object;
  R (*m_call)(void*, Args...);
};

}  // namespace nnfield
