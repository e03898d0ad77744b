"""Panda3D plumbing: an offscreen GL context, mesh upload and frame readback.

``p3headlessgl`` (EGL: Mesa llvmpipe on CPU machines, the NVIDIA driver on GPU boxes) is
preferred. ``p3tinydisplay`` is a pure-software fallback: it ignores fog, so the
renderer applies fog in post-processing there, and it warns once that its pixels differ.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from drivecert import DrivecertError
from harness.render._mesh import VERTEX_DTYPE, Mesh

MESA_PACKAGES = "libegl1 libgl1-mesa-dri libegl-mesa0 libgl1 libglx-mesa0"
INSTALL_HINT = (
    f"install the Mesa EGL packages: sudo apt-get install -y {MESA_PACKAGES} "
    "(or run bash scripts/setup.sh as root)"
)
T = TypeVar("T")
_PIPES = {
    "gl": ("eglGraphicsPipe", "p3headlessgl"),
    "software": ("TinyOffscreenGraphicsPipe", "p3tinydisplay"),
}
_warned_software = False
_ENGINES: dict[str, tuple[Any, Any]] = {}  # backend -> (pipe, engine), one per process
_GL_THREAD: ThreadPoolExecutor | None = None
_GL_THREAD_LOCK = threading.Lock()


def on_gl_thread(call: Callable[..., T], *args: Any) -> T:
    """Run ``call`` on the process's one GL thread, which made the engine and does every
    GL call: llvmpipe draws a few pixels one level apart when a thread renders through a
    pipe another thread made, so frames would depend on which thread rendered them (two
    runs in one process, a sweep's second model)."""
    global _GL_THREAD
    if threading.current_thread().name.startswith("drivecert-gl"):
        return call(*args)
    with _GL_THREAD_LOCK:
        if _GL_THREAD is None:
            _GL_THREAD = ThreadPoolExecutor(1, thread_name_prefix="drivecert-gl")
    return _GL_THREAD.submit(call, *args).result()


class GraphicsUnavailable(DrivecertError):
    """No offscreen graphics backend could start."""


def _panda() -> Any:
    try:
        import panda3d.core as core
    except ImportError as exc:  # pragma: no cover - panda3d is a core dependency
        raise DrivecertError("panda3d is not installed; run: pip install panda3d==1.10.16") from exc
    return core


@dataclass
class GLContext:
    """An offscreen buffer, its camera and the texture frames are copied into."""

    backend: str
    engine: Any
    buffer: Any
    texture: Any
    root: Any
    camera: Any
    lens: Any
    width: int
    height: int
    driver: str

    def capture(self) -> NDArray[np.uint8]:
        """Render one frame and return it as (height, width, 3) RGB, row 0 on top."""
        return on_gl_thread(self._capture)

    def _capture(self) -> NDArray[np.uint8]:
        self.buffer.setActive(True)  # other renderers' buffers in this process stay idle
        try:
            self.engine.renderFrame()
        finally:
            self.buffer.setActive(False)
        data = self.texture.getRamImage()
        image = np.frombuffer(memoryview(data), np.uint8)
        channels = image.size // (self.width * self.height)
        image = image.reshape(self.height, self.width, channels)
        return np.ascontiguousarray(image[::-1, :, 2::-1])  # flip rows, BGR(A) -> RGB

    def close(self) -> None:
        """Release the buffer (the process-wide engine stays for other renderers)."""
        on_gl_thread(self.engine.removeWindow, self.buffer)


def start_gl(width: int, height: int, backend: str = "auto") -> GLContext:
    """Open an offscreen buffer of ``width`` x ``height`` on the chosen backend."""
    return on_gl_thread(_start_gl, width, height, backend)


def _start_gl(width: int, height: int, backend: str) -> GLContext:
    _load_triton_first()
    core = _panda()
    core.loadPrcFileData(
        "drivecert",
        "window-type none\naudio-library-name null\nsync-video false\n"
        "notify-level-display fatal\nnotify-level-glgsg error\nnotify-level-egldisplay fatal\n"
        "textures-power-2 none\nframebuffer-multisample false\n",
    )
    order = ["gl", "software"] if backend == "auto" else [backend]
    failures = []
    for choice in order:
        pipe_type, module = _PIPES[choice]
        context = _try_backend(core, pipe_type, module, choice, width, height)
        if isinstance(context, GLContext):
            if choice == "software":
                _warn_software(backend)
            return context
        failures.append(f"{module}: {context}")
    raise GraphicsUnavailable(
        f"no offscreen GL backend could start ({'; '.join(failures)}); {INSTALL_HINT}"
    )


def _load_triton_first() -> None:
    """Load triton (torch's compiler, with an LLVM of its own) before the GL driver's LLVM.

    Once llvmpipe has drawn, loading triton (which ``import torchvision`` and a Hugging
    Face model do) crashes the process, so a sweep's second model, or a model judge opened
    after rendering, would kill the run. Loaded first, both work and the pixels are the
    same. It costs about 0.3 s once per process, and nothing where torch is not installed.
    """
    if "triton" in sys.modules or importlib.util.find_spec("triton") is None:
        return
    with contextlib.suppress(Exception):  # a broken triton is torch's problem, not ours
        importlib.import_module("triton")


def _warn_software(requested: str) -> None:
    global _warned_software
    if requested == "auto" and not _warned_software:
        _warned_software = True
        warnings.warn(
            "headless GL (EGL) is unavailable; rendering with the p3tinydisplay software "
            f"backend: vertex lighting and post-processed fog change pixels. {INSTALL_HINT}",
            RuntimeWarning,
            stacklevel=3,
        )


def _try_backend(
    core: Any, pipe_type: str, module: str, choice: str, width: int, height: int
) -> GLContext | str:
    if choice not in _ENGINES:
        pipe = core.GraphicsPipeSelection.getGlobalPtr().makePipe(pipe_type, module)
        if pipe is None or not pipe.isValid():
            return "module did not load"
        _ENGINES[choice] = (pipe, core.GraphicsEngine(pipe))
    pipe, engine = _ENGINES[choice]
    fbp = core.FrameBufferProperties()
    fbp.setRgbColor(True)
    fbp.setRgbaBits(8, 8, 8, 8)
    fbp.setDepthBits(24)
    props = core.WindowProperties.size(width, height)
    flags = core.GraphicsPipe.BFRefuseWindow
    buffer = engine.makeOutput(pipe, f"drivecert-{choice}", 0, fbp, props, flags)
    if buffer is None:
        return "could not open an offscreen buffer"
    texture = core.Texture("frame")
    buffer.addRenderTexture(texture, core.GraphicsOutput.RTMCopyRam)
    root = core.NodePath("render")
    if choice == "software":
        # p3tinydisplay's lighting multiplies the vertex colour in twice unless a material
        # supplies the reflectances; white ones make lit pixels match the GL backend.
        white = core.Material("white")
        white.setAmbient((1, 1, 1, 1))
        white.setDiffuse((1, 1, 1, 1))
        root.setMaterial(white)
    lens = core.PerspectiveLens()
    camera = root.attachNewNode(core.Camera("camera", lens))
    region = buffer.makeDisplayRegion()
    region.setCamera(camera)
    engine.renderFrame()
    buffer.setActive(False)
    gsg = buffer.getGsg()
    driver = (gsg.getDriverRenderer() if gsg is not None else "") or module
    if os.environ.get("DRIVECERT_FORBID_LLVMPIPE") and "llvmpipe" in driver:  # pragma: no cover
        return "llvmpipe forbidden by DRIVECERT_FORBID_LLVMPIPE"
    return GLContext(choice, engine, buffer, texture, root, camera, lens, width, height, driver)


_FORMAT: Any = None


def _vertex_format(core: Any) -> Any:
    global _FORMAT
    if _FORMAT is None:
        array = core.GeomVertexArrayFormat()
        array.addColumn(core.InternalName.getVertex(), 3, core.Geom.NTFloat32, core.Geom.CPoint)
        array.addColumn(core.InternalName.getNormal(), 3, core.Geom.NTFloat32, core.Geom.CNormal)
        array.addColumn(core.InternalName.getColor(), 4, core.Geom.NTUint8, core.Geom.CColor)
        if array.getStride() != VERTEX_DTYPE.itemsize:  # pragma: no cover - layout guard
            raise DrivecertError("unexpected Panda3D vertex layout")
        _FORMAT = core.GeomVertexFormat.registerFormat(core.GeomVertexFormat(array))
    return _FORMAT


def mesh_node(mesh: Mesh, name: str, dynamic: bool = False) -> Any:
    """A NodePath holding ``mesh`` as one Geom (one draw call)."""
    core = _panda()
    node = core.GeomNode(name)
    path = core.NodePath(node)
    if mesh.is_empty:
        return path
    usage = core.Geom.UHDynamic if dynamic else core.Geom.UHStatic
    vertices = mesh.vertices()
    triangles = mesh.arrays()[3].astype(np.uint32).ravel()
    vdata = core.GeomVertexData(name, _vertex_format(core), usage)
    vdata.uncleanSetNumRows(len(vertices))
    memoryview(vdata.modifyArray(0)).cast("B")[:] = vertices.tobytes()
    prim = core.GeomTriangles(usage)
    prim.setIndexType(core.Geom.NTUint32)
    indices = prim.modifyVertices()
    indices.uncleanSetNumRows(len(triangles))
    memoryview(indices).cast("B")[:] = triangles.tobytes()
    geom = core.Geom(vdata)
    geom.addPrimitive(prim)
    node.addGeom(geom)
    return path
