"""The type stubs python/nnfield.pyi describe the built module: every public function, class and
method is there with the parameter names, kinds and defaults the module reports through
inspect.signature (which works on every public callable: python/signatures.cpp)."""
import ast
import inspect
import pathlib

import pytest

import nnfield

STUB = pathlib.Path(__file__).resolve().parents[1] / "nnfield.pyi"
KINDS = {"posonly": inspect.Parameter.POSITIONAL_ONLY, "args": inspect.Parameter.POSITIONAL_OR_KEYWORD,
         "kwonly": inspect.Parameter.KEYWORD_ONLY}


def stub_parameters(node):
    """[(name, kind, default repr or None)] of a def in the stub."""
    a = node.args
    out = []
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for i, (arg, default) in enumerate(zip(positional, defaults)):
        kind = "posonly" if i < len(a.posonlyargs) else "args"
        out.append((arg.arg, KINDS[kind], None if default is None else repr(ast.literal_eval(default))))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        out.append((arg.arg, KINDS["kwonly"], None if default is None else repr(ast.literal_eval(default))))
    return out


def module_parameters(obj):
    return [(p.name, p.kind, None if p.default is inspect.Parameter.empty else repr(p.default))
            for p in inspect.signature(obj).parameters.values()]


def stub_tree():
    tree = ast.parse(STUB.read_text())
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    classes = {n.name: {m.name: m for m in n.body if isinstance(m, ast.FunctionDef)}
               for n in tree.body if isinstance(n, ast.ClassDef)}
    names = set(functions) | set(classes)
    names |= {t.target.id for t in tree.body if isinstance(t, ast.AnnAssign)}
    names |= {t.targets[0].id for t in tree.body if isinstance(t, ast.Assign)}
    return functions, classes, names


def public(namespace):
    return {n: v for n, v in vars(namespace).items() if not n.startswith("_")}


def methods(cls):
    """The methods the binding defines on the class (pybind11 instancemethods and static
    methods): the public ones and the special methods of the mapping and context protocols."""
    special = {"__init__", "__getitem__", "__contains__", "__len__", "__iter__", "__getattr__", "__dir__",
               "__enter__", "__exit__"}
    return {name: getattr(cls, name) for name, member in vars(cls).items()
            if type(member).__name__ in ("instancemethod", "staticmethod")
            and (not name.startswith("_") or name in special)}


FUNCTIONS, CLASSES, NAMES = stub_tree()


def test_every_public_name_is_in_the_stub():
    missing = sorted(set(public(nnfield)) - NAMES)
    assert not missing, f"not in nnfield.pyi: {missing}"
    extra = sorted(n for n in set(FUNCTIONS) | set(CLASSES) if not hasattr(nnfield, n))
    assert not extra, f"in nnfield.pyi but not in the module: {extra}"


@pytest.mark.parametrize("name", sorted(n for n, v in public(nnfield).items()
                                         if callable(v) and not isinstance(v, type)))
def test_function_signature_matches_the_stub(name):
    assert module_parameters(getattr(nnfield, name)) == stub_parameters(FUNCTIONS[name])


@pytest.mark.parametrize("name", sorted(n for n, v in public(nnfield.direct).items() if callable(v)))
def test_direct_functions_match_their_fft_versions(name):
    """nnfield.direct (typed as a module in the stub) mirrors the top-level functions."""
    assert module_parameters(getattr(nnfield.direct, name)) == stub_parameters(FUNCTIONS[name])


@pytest.mark.parametrize("cls", sorted(n for n, v in public(nnfield).items()
                                        if isinstance(v, type) and not issubclass(v, Exception)))
def test_class_methods_and_properties_match_the_stub(cls):
    stub = CLASSES[cls]
    klass = getattr(nnfield, cls)
    for name, method in methods(klass).items():
        assert name in stub, f"{cls}.{name} is not in nnfield.pyi"
        stub_params = stub_parameters(stub[name])
        params = module_parameters(method)
        is_static = isinstance(vars(klass)[name], staticmethod)
        assert params == stub_params, f"{cls}.{name}: module {params}, stub {stub_params}"
        assert is_static == any(getattr(d, "id", None) == "staticmethod" for d in stub[name].decorator_list)
    properties = {n for n, v in vars(klass).items() if isinstance(v, property)}
    stub_properties = {n for n, d in stub.items() if any(getattr(x, "id", None) == "property" for x in d.decorator_list)}
    assert properties == stub_properties, cls
    extra = set(stub) - set(methods(klass)) - properties
    assert not extra, f"{cls}: in nnfield.pyi but not in the module: {sorted(extra)}"


def test_signatures_show_defaults_and_keyword_only_arguments():
    s = inspect.signature(nnfield.propagate)
    assert s.parameters["networks"].kind is inspect.Parameter.KEYWORD_ONLY and s.parameters["networks"].default == 64
    assert list(inspect.signature(nnfield.MeanField).parameters) == ["activation", "sigma_w", "sigma_b", "order"]
    assert nnfield.forward.__doc__.startswith("Forward pass")       # the docstring keeps its text


def test_the_stub_and_its_marker_lie_next_to_the_module():
    here = pathlib.Path(nnfield.__file__).parent
    assert (here / "nnfield.pyi").read_text() == STUB.read_text()
    assert (here / "py.typed").exists()
