"""Configuration of LyricMood emotion classifiers (Hub model code: torch + transformers only)."""

from __future__ import annotations

from transformers import AutoConfig, PretrainedConfig

ARCHITECTURES = ("arch1", "arch2")
PROBLEM_TYPES = ("single_label_classification", "multi_label_classification")
# Written into every saved config, so that a folder loads with each Auto class and trust_remote_code=True.
AUTO_MAP = {
    "AutoConfig": "configuration_lyricmood.LyricMoodConfig",
    "AutoModel": "modeling_lyricmood.LyricMoodModel",
    "AutoModelForSequenceClassification": "modeling_lyricmood.LyricMoodForSequenceClassification",
}


class LyricMoodConfig(PretrainedConfig):
    r"""
    Configuration of a LyricMood model: an encoder backbone plus one of the study's two pooling heads.

    Args:
        backbone_config (`dict` or `PretrainedConfig`, *optional*):
            Configuration of the encoder (BERT, RoBERTa, ELECTRA, XLM-R, e5 …). Nested so that a saved
            folder rebuilds the whole model without network. Defaults to a BERT-base configuration.
        architecture (`str`, *optional*, defaults to `"arch2"`):
            `"arch1"`: Conv1d(H → `arch1_channels`, kernel 1) over tokens, masked mean, linear head.
            `"arch2"`: last-layer CLS, layer-`arch2_extra_layer` CLS and the masked mean of the last layer
            stacked as 3 channels → Conv1d(3 → 1) → ReLU → linear head on the whole H.
        arch1_channels (`int`, *optional*, defaults to 64): Arch1's Conv1d output width.
        arch2_extra_layer (`int`, *optional*, defaults to -4): which hidden state gives Arch2's second CLS.
        classifier_dropout (`float`, *optional*, defaults to 0.1): dropout before the linear head.
        special_token_ids (`list[int]`, *optional*):
            Token ids that are never counted in masked means (CLS, SEP, BOS, EOS, PAD …); set from the
            tokenizer by `from_backbone`. Padding is always excluded through the attention mask.
        decision_thresholds (`list[float]`, *optional*):
            Per-label thresholds for multi-label prediction (tuned on a validation split); 0.5 when unset.
        problem_type (`str`, *optional*, defaults to `"multi_label_classification"`):
            `"single_label_classification"` (softmax + cross-entropy) or `"multi_label_classification"`
            (sigmoid + binary cross-entropy).

    Example:
        ```python
        >>> from transformers import BertConfig
        >>> config = LyricMoodConfig(backbone_config=BertConfig(hidden_size=32, num_hidden_layers=4,
        ...     num_attention_heads=2, intermediate_size=37), id2label={0: "joy", 1: "grief"})
        >>> config.hidden_size, config.num_labels
        (32, 2)

        ```
    """

    model_type = "lyricmood"

    def __init__(
        self,
        backbone_config: dict | PretrainedConfig | None = None,
        architecture: str = "arch2",
        arch1_channels: int = 64,
        arch2_extra_layer: int = -4,
        classifier_dropout: float = 0.1,
        special_token_ids: list[int] | None = None,
        decision_thresholds: list[float] | None = None,
        problem_type: str = "multi_label_classification",
        **kwargs,
    ):
        if architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
        if problem_type not in PROBLEM_TYPES:
            raise ValueError(f"problem_type must be one of {PROBLEM_TYPES}, got {problem_type!r}")
        if backbone_config is None:
            backbone_config = AutoConfig.for_model("bert")
        elif isinstance(backbone_config, dict):
            backbone_config = dict(backbone_config)
            backbone_config = AutoConfig.for_model(backbone_config.pop("model_type"), **backbone_config)
        self.backbone_config = backbone_config
        self.architecture = architecture
        self.arch1_channels = arch1_channels
        self.arch2_extra_layer = arch2_extra_layer
        self.classifier_dropout = classifier_dropout
        self.special_token_ids = list(special_token_ids) if special_token_ids is not None else []
        self.decision_thresholds = list(decision_thresholds) if decision_thresholds is not None else None
        kwargs.setdefault("auto_map", dict(AUTO_MAP))
        super().__init__(problem_type=problem_type, **kwargs)
        if decision_thresholds is not None and len(self.decision_thresholds) != self.num_labels:
            raise ValueError(
                f"decision_thresholds has {len(self.decision_thresholds)} values for {self.num_labels} labels"
            )

    @property
    def hidden_size(self) -> int:
        return self.backbone_config.hidden_size

    def to_dict(self) -> dict:
        output = super().to_dict()
        output["backbone_config"] = self.backbone_config.to_dict()
        return output
