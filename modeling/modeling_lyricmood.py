"""LyricMood emotion classifiers: any encoder backbone + the study's Arch1 or Arch2 head.

Hub model code: depends on torch and transformers only, and imports its sibling with a single-dot
relative import (all that `trust_remote_code` copies).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F
from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput
from transformers.utils import ModelOutput

from .configuration_lyricmood import LyricMoodConfig

@dataclass
class LyricMoodModelOutput(ModelOutput):
    """
    Args:
        pooler_output (`torch.FloatTensor` of shape `(batch_size, feature_size)`):
            The pooled emotion feature: 64-d (Arch1's `arch1_channels`) or H-d (Arch2).
        last_hidden_state (`torch.FloatTensor` of shape `(batch_size, sequence_length, hidden_size)`):
            The backbone's last hidden states.
        hidden_states (`tuple(torch.FloatTensor)`, *optional*): all the backbone's hidden states, on request.
    """

    pooler_output: torch.FloatTensor | None = None
    last_hidden_state: torch.FloatTensor | None = None
    hidden_states: tuple[torch.FloatTensor, ...] | None = None


def masked_mean(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of `hidden` (B, T, C) over the positions where `mask` (B, T) is 1, divided by their count (not T)."""
    mask = mask.to(hidden.dtype).unsqueeze(-1)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class LyricMoodArch1Pooler(nn.Module):
    """Conv1d(H → C, kernel 1) over the token axis, then the masked mean over real tokens."""

    def __init__(self, config: LyricMoodConfig):
        super().__init__()
        self.conv = nn.Conv1d(config.hidden_size, config.arch1_channels, kernel_size=1)
        self.output_size = config.arch1_channels

    def forward(self, hidden_states: tuple[torch.Tensor, ...], token_mask: torch.Tensor) -> torch.Tensor:
        channels = self.conv(hidden_states[-1].transpose(1, 2)).transpose(1, 2)  # (B, T, C)
        return masked_mean(channels, token_mask)


class LyricMoodArch2Pooler(nn.Module):
    """[CLS(last), CLS(layer k), masked mean(last)] as 3 channels → Conv1d(3 → 1, kernel 1) → ReLU."""

    def __init__(self, config: LyricMoodConfig):
        super().__init__()
        self.extra_layer = config.arch2_extra_layer
        self.conv = nn.Conv1d(3, 1, kernel_size=1)
        self.output_size = config.hidden_size

    def forward(self, hidden_states: tuple[torch.Tensor, ...], token_mask: torch.Tensor) -> torch.Tensor:
        last = hidden_states[-1]
        stacked = torch.stack(
            [last[:, 0], hidden_states[self.extra_layer][:, 0], masked_mean(last, token_mask)], dim=1
        )  # (B, 3, H)
        return F.relu(self.conv(stacked).squeeze(1))


POOLERS = {"arch1": LyricMoodArch1Pooler, "arch2": LyricMoodArch2Pooler}


class LyricMoodPreTrainedModel(PreTrainedModel):
    config_class = LyricMoodConfig
    config: LyricMoodConfig
    base_model_prefix = "lyricmood"
    supports_gradient_checkpointing = True
    _supports_sdpa = True

    def _init_weights(self, module: nn.Module) -> None:
        # The backbone is a PreTrainedModel: transformers dispatches its own initialisation to it.
        # The poolers sit between the backbone and the head: initialised like the backbone's tiny 0.02 weights,
        # they would shrink every gradient reaching the backbone by ~50× and training stalls at the label
        # priors. Arch2 starts as the plain average of its three vectors; Arch1's projection preserves scale.
        if isinstance(module, LyricMoodArch2Pooler):
            nn.init.constant_(module.conv.weight, 1.0 / 3.0)
            nn.init.zeros_(module.conv.bias)
        elif isinstance(module, LyricMoodArch1Pooler):
            nn.init.normal_(module.conv.weight, mean=0.0, std=module.conv.in_channels**-0.5)
            nn.init.zeros_(module.conv.bias)
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=getattr(self.config.backbone_config, "initializer_range", 0.02))
            if module.bias is not None:
                nn.init.zeros_(module.bias)


class LyricMoodModel(LyricMoodPreTrainedModel):
    """The backbone and the architecture's pooler: text → pooled emotion feature."""

    def __init__(self, config: LyricMoodConfig):
        super().__init__(config)
        self.backbone = _backbone_from_config(config.backbone_config)
        self.pooler = POOLERS[config.architecture](config)
        self.post_init()

    def get_input_embeddings(self) -> nn.Module:
        return self.backbone.get_input_embeddings()

    def set_input_embeddings(self, value: nn.Module) -> None:
        self.backbone.set_input_embeddings(value)

    def token_mask(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """1 for real tokens: attended and not a special token (CLS/SEP/BOS/EOS/PAD …)."""
        mask = attention_mask.bool()
        special = self.config.special_token_ids
        if special:
            mask = mask & ~torch.isin(input_ids, torch.tensor(special, device=input_ids.device))
        return mask

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> LyricMoodModelOutput | tuple:
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        backbone_inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            backbone_inputs["token_type_ids"] = token_type_ids
        outputs = self.backbone(**backbone_inputs, output_hidden_states=True, return_dict=True)
        pooled = self.pooler(outputs.hidden_states, self.token_mask(input_ids, attention_mask))
        output_hidden_states = (
            output_hidden_states if output_hidden_states is not None else self.config.output_hidden_states
        )
        result = LyricMoodModelOutput(
            pooler_output=pooled,
            last_hidden_state=outputs.hidden_states[-1],
            hidden_states=outputs.hidden_states if output_hidden_states else None,
        )
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        return result if return_dict else result.to_tuple()


class LyricMoodForSequenceClassification(LyricMoodPreTrainedModel):
    """LyricMood with its emotion head: dropout → Linear(feature → labels), loss by `config.problem_type`.

    Example:
        ```python
        >>> import torch
        >>> from transformers import BertConfig
        >>> backbone = BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=4, num_attention_heads=2,
        ...                       intermediate_size=37)
        >>> config = LyricMoodConfig(backbone_config=backbone, id2label={0: "joy", 1: "sadness", 2: "anger"})
        >>> model = LyricMoodForSequenceClassification(config).eval()
        >>> out = model(input_ids=torch.tensor([[2, 15, 16, 3]]), labels=torch.tensor([[1.0, 0.0, 1.0]]))
        >>> tuple(out.logits.shape), out.loss.ndim
        ((1, 3), 0)

        ```
    """

    def __init__(self, config: LyricMoodConfig):
        super().__init__(config)
        self.lyricmood = LyricMoodModel(config)
        self.dropout = nn.Dropout(config.classifier_dropout)
        self.classifier = nn.Linear(self.lyricmood.pooler.output_size, config.num_labels)
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> SequenceClassifierOutput | tuple:
        outputs = self.lyricmood(
            input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            output_hidden_states=output_hidden_states,
            return_dict=True,
        )
        logits = self.classifier(self.dropout(outputs.pooler_output))
        loss = None
        if labels is not None:
            if self.config.problem_type == "single_label_classification":
                loss = F.cross_entropy(logits, labels.long().view(-1))
            else:
                loss = F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
        result = SequenceClassifierOutput(loss=loss, logits=logits, hidden_states=outputs.hidden_states)
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        return result if return_dict else result.to_tuple()

    @classmethod
    def from_backbone(
        cls,
        backbone: str,
        *,
        architecture: str = "arch2",
        id2label: dict[int, str] | list[str],
        problem_type: str = "multi_label_classification",
        tokenizer=None,
        **config_kwargs,
    ) -> "LyricMoodForSequenceClassification":
        """Build a classifier on a pretrained backbone (Hub id or local folder): its weights, a new head.

        The tokenizer (loaded from `backbone` unless given) tells which token ids are special, so that the
        masked mean counts real tokens only.
        """
        if isinstance(id2label, (list, tuple)):
            id2label = dict(enumerate(id2label))
        id2label = {int(i): str(name) for i, name in id2label.items()}
        if tokenizer is None:
            tokenizer = AutoTokenizer.from_pretrained(backbone)
        config = LyricMoodConfig(
            backbone_config=AutoConfig.from_pretrained(backbone),
            architecture=architecture,
            id2label=id2label,
            label2id={name: i for i, name in id2label.items()},
            problem_type=problem_type,
            special_token_ids=sorted(set(tokenizer.all_special_ids)),
            **config_kwargs,
        )
        model = cls(config)
        pretrained = _backbone_from_pretrained(backbone)
        missing, unexpected = model.lyricmood.backbone.load_state_dict(pretrained.state_dict(), strict=False)
        if missing:
            raise ValueError(f"backbone {backbone!r} lacks weights for {missing[:5]} …")
        return model


def _backbone_from_config(config) -> PreTrainedModel:
    # The backbone's own pooler is never used: leave it out where the class allows (BERT, RoBERTa, XLM-R),
    # so that no parameter goes without a gradient (which distributed training would reject).
    try:
        return AutoModel.from_config(config, add_pooling_layer=False)
    except TypeError:
        return AutoModel.from_config(config)


def _backbone_from_pretrained(name_or_path: str) -> PreTrainedModel:
    try:
        return AutoModel.from_pretrained(name_or_path, add_pooling_layer=False)
    except TypeError:
        return AutoModel.from_pretrained(name_or_path)


LyricMoodConfig.register_for_auto_class()
LyricMoodModel.register_for_auto_class("AutoModel")
LyricMoodForSequenceClassification.register_for_auto_class("AutoModelForSequenceClassification")
