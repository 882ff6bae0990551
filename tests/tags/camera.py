"""A phone camera looking at a printed tag: our parameters, seeded (docs/printing.md).

- Preview: 1920 x 1080 frames with a 68° horizontal field of view (a 26 mm-equivalent main
  camera), so the focal length is 960 / tan(34°) = 1423 pixels.
- Framing: the shopper holds the phone so that the code, quiet zone included, spans a third
  to two thirds of the frame's height; never nearer than 10 cm (closest focus) nor farther
  than 60 cm.
- Pose: tilted up to 25° about each axis of the page, turned up to 15°, off-centre by up to
  a tenth of the frame.
- Optics and light: Gaussian defocus blur (sigma 0.3 to 1.0 pixel), dim low-contrast light
  (black 30-70, white 140-210 of 255), a lighting gradient across the frame (75-100%).
- Sensor: Gaussian noise (sigma 2 to 5), then JPEG at quality 60 to 85.

The printed page is rendered at 12 pixels per module around the code (with its neighbours on
the page) and projected through the camera. The decoders get the square of the frame around
the code, 1.1 times the size of the code with its quiet zone, at the preview's pixel density,
as a phone's scanner does once it has found the code: with wider windows OpenCV's classic
detector pairs finder patterns of neighbouring labels (on avery-5160 it then read 85% where
zxing-cpp read 100%).

Decoders: OpenCV (its classic QRCodeDetector, then QRCodeDetectorAruco when the classic one
finds nothing; the classic detector alone is counted too) and zxing-cpp.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pypdfium2
import zxingcpp

PREVIEW = (1920, 1080)
FOCAL = (PREVIEW[0] / 2) / math.tan(math.radians(34))
CLOSEST, FARTHEST = 100.0, 600.0  # mm
SOURCE_PIXELS_PER_MODULE = 12
POINT_MM = 25.4 / 72


class Scene:
    """The printed surroundings of one QR, rendered sharp, in millimetres."""

    def __init__(self, document: pypdfium2.PdfDocument, page_size, placed):
        self.placed = placed
        margin = placed.symbol_size * 0.45 + 4 * placed.module
        left = max(0.0, placed.x - margin)
        bottom = max(0.0, placed.y - margin)
        right = min(page_size[0], placed.x + placed.symbol_size + margin)
        top = min(page_size[1], placed.y + placed.symbol_size + margin)
        scale = SOURCE_PIXELS_PER_MODULE / placed.module
        page = document[placed.page]
        bitmap = page.render(scale=scale, grayscale=True,
                             crop=(left, bottom, page_size[0] - right, page_size[1] - top))
        self.image = np.array(bitmap.to_pil().convert("L"))
        self.scale = scale  # pixels per point
        # The code's centre in the rendered image, in pixels.
        self.centre = ((placed.x + placed.symbol_size / 2 - left) * scale,
                       (top - (placed.y + placed.symbol_size / 2)) * scale)
        self.code_mm = (placed.symbol_size + 8 * placed.module) * POINT_MM


def _rotation(rng) -> np.ndarray:
    ax, ay = np.radians(rng.uniform(-25, 25, size=2))
    az = np.radians(rng.uniform(-15, 15))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def shoot(scene: Scene, rng) -> np.ndarray:
    """One preview frame's part around the code, degraded as a phone would see it."""
    share = rng.uniform(1 / 3, 2 / 3)  # of the frame's height, quiet zone included
    distance = min(FARTHEST, max(CLOSEST, FOCAL * scene.code_mm / (share * PREVIEW[1])))
    mm_per_pixel = POINT_MM / scene.scale
    rotation = _rotation(rng)
    centre = np.array(PREVIEW, dtype=float) / 2 + rng.uniform(-0.1, 0.1, size=2) * PREVIEW
    height, width = scene.image.shape

    def project(x_mm: float, y_mm: float) -> np.ndarray:
        point = rotation @ np.array([x_mm, y_mm, 0.0])
        return centre + point[:2] * FOCAL / (distance + point[2])

    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    projected = np.array([project((x - scene.centre[0]) * mm_per_pixel,
                                  (y - scene.centre[1]) * mm_per_pixel)
                          for x, y in corners], dtype=np.float32)
    # The decoder's window: a square around the code's centre, 1.1 times the size of the
    # code with its quiet zone (wider windows show the neighbouring labels' codes).
    half = 0.55 * FOCAL * scene.code_mm / distance
    x0, y0 = np.maximum(0, np.floor(centre - half)).astype(int)
    x1, y1 = np.minimum(PREVIEW, np.ceil(centre + half)).astype(int)
    homography = cv2.getPerspectiveTransform(corners, projected - np.array([x0, y0],
                                                                           np.float32))
    # Downsample first (no aliasing), then project.
    reduce = max(1.0, (1 / mm_per_pixel) / (FOCAL / distance) / 1.5)
    source = scene.image
    if reduce > 1.0:
        source = cv2.resize(source, None, fx=1 / reduce, fy=1 / reduce,
                            interpolation=cv2.INTER_AREA)
        homography = homography @ np.diag([reduce, reduce, 1.0])
    frame = cv2.warpPerspective(source, homography, (x1 - x0, y1 - y0),
                                flags=cv2.INTER_LINEAR, borderValue=110)
    frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(0.3, 1.0))
    black, white = rng.uniform(30, 70), rng.uniform(140, 210)
    light = frame.astype(np.float32) / 255 * (white - black) + black
    gradient = np.linspace(rng.uniform(0.75, 1.0), rng.uniform(0.75, 1.0), light.shape[1])
    light *= gradient[None, :]
    light += rng.normal(0, rng.uniform(2, 5), light.shape)
    frame = np.clip(light, 0, 255).astype(np.uint8)
    _, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(rng.uniform(60, 85))])
    return cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)


# OpenCV's two QR detectors: the classic QRCodeDetector, and QRCodeDetectorAruco (OpenCV >= 4.8),
# which finds finder patterns with the ArUco contour machinery and copes better with
# perspective (docs/printing.md#the-camera-test).
_CLASSIC = cv2.QRCodeDetector()
_ARUCO = cv2.QRCodeDetectorAruco()


def read_opencv(frame: np.ndarray) -> tuple[list[str], list[str]]:
    """(what OpenCV reads, what its classic detector alone reads), none or one text each.

    OpenCV reads as an app using both of its QR detectors would: the classic detector's
    detectAndDecode, and when that finds nothing, QRCodeDetectorAruco's on the same frame.
    """
    text, _, _ = _CLASSIC.detectAndDecode(frame)
    classic = [text] if text else []
    if classic:
        return classic, classic
    text, _, _ = _ARUCO.detectAndDecode(frame)
    return ([text] if text else []), classic


def read_opencv_aruco(frame: np.ndarray) -> list[str]:
    """What QRCodeDetectorAruco alone reads (none or one), for measurements."""
    text, _, _ = _ARUCO.detectAndDecode(frame)
    return [text] if text else []


def read_zxing(frame: np.ndarray) -> list[str]:
    """Every QR text zxing-cpp reads."""
    return [result.text for result in
            zxingcpp.read_barcodes(frame, formats=zxingcpp.BarcodeFormat.QRCode)]
