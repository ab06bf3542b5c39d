"""Interface strings of the Space in Korean and English, and Korean names for emotion labels.

Example:
    >>> text("tab_similar", "ko"), text("tab_similar", "en")
    ('비슷한 노래', 'Similar songs')
    >>> emotion_name("sadness", "ko"), emotion_name("sadness", "en"), emotion_name("unknown-label", "ko")
    ('슬픔', 'sadness', 'unknown-label')
"""

from __future__ import annotations

UI_LANGUAGES = (("한국어", "ko"), ("English", "en"))
DEFAULT_UI_LANGUAGE = "ko"

# The 28 GoEmotions labels (27 emotions + neutral). Labels of other models (KOTE, the study's 60) fall
# back to their own names.
EMOTION_NAMES_KO = {
    "admiration": "감탄",
    "amusement": "재미",
    "anger": "분노",
    "annoyance": "짜증",
    "approval": "인정",
    "caring": "배려",
    "confusion": "혼란",
    "curiosity": "호기심",
    "desire": "갈망",
    "disappointment": "실망",
    "disapproval": "못마땅함",
    "disgust": "혐오",
    "embarrassment": "당황",
    "excitement": "설렘",
    "fear": "두려움",
    "gratitude": "감사",
    "grief": "비탄",
    "joy": "기쁨",
    "love": "사랑",
    "nervousness": "긴장",
    "optimism": "낙관",
    "pride": "자부심",
    "realization": "깨달음",
    "relief": "안도",
    "remorse": "후회",
    "sadness": "슬픔",
    "surprise": "놀람",
    "neutral": "중립",
}

TEXTS: dict[str, dict[str, str]] = {
    "title": {
        "ko": "# lyricmood — 가사의 감정이 닮은 노래 찾기",
        "en": "# lyricmood — songs whose lyrics feel alike",
    },
    "intro": {
        "ko": "가사를 줄·절 단위로 감정 분류 모델에 넣어 노래마다 감정 벡터를 만들고, 그 벡터가 닮은 노래를 "
        "시대·장르·언어(한국어/영어)를 넘어 추천합니다. 카탈로그에서 노래를 고르거나 가사를 붙여 넣으세요.",
        "en": "Each song's lyrics are scored line by line with an emotion classifier; songs whose emotion "
        "vectors are alike are recommended across eras, genres and languages (Korean and English). "
        "Pick a song from the catalog or paste lyrics.",
    },
    "ui_lang": {"ko": "언어 / Language", "en": "Language / 언어"},
    "source": {"ko": "카탈로그", "en": "Catalog"},
    "source_builtin": {"ko": "기본 데모 카탈로그", "en": "Built-in demo catalog"},
    "source_upload": {"ko": "내가 올린 카탈로그", "en": "My uploaded catalog"},
    "filters": {"ko": "필터", "en": "Filters"},
    "k": {"ko": "추천 개수", "en": "Number of songs"},
    "exclude_same_artist": {"ko": "같은 아티스트 제외", "en": "Exclude the same artist"},
    "year_from": {"ko": "연도 (부터)", "en": "Year from"},
    "year_to": {"ko": "연도 (까지)", "en": "Year to"},
    "year_info": {"ko": "비우거나 0이면 제한 없음", "en": "empty or 0 = no limit"},
    "year_placeholder": {"ko": "예: {year}", "en": "e.g. {year}"},
    "lang_filter": {"ko": "노래 언어", "en": "Song language"},
    "lang_any": {"ko": "모두", "en": "Any"},
    "lang_ko": {"ko": "한국어", "en": "Korean"},
    "lang_en": {"ko": "영어", "en": "English"},
    "diversity": {"ko": "다양성 (0 = 가장 비슷한 순)", "en": "Diversity (0 = most similar first)"},
    "tab_similar": {"ko": "비슷한 노래", "en": "Similar songs"},
    "tab_mood": {"ko": "분위기로 찾기", "en": "Describe a mood"},
    "tab_catalog": {"ko": "내 카탈로그", "en": "Your catalog"},
    "tab_about": {"ko": "소개", "en": "About"},
    "song": {"ko": "노래 (제목이나 아티스트로 검색)", "en": "Song (search by title or artist)"},
    "btn_song": {"ko": "이 노래와 비슷한 노래", "en": "Find similar songs"},
    "lyrics": {"ko": "또는 가사 붙여 넣기", "en": "Or paste lyrics"},
    "lyrics_placeholder": {
        "ko": "[1절]\n가사를 줄마다 입력하세요…\n\n[후렴]\n…",
        "en": "[Verse 1]\nOne lyric line per line…\n\n[Chorus]\n…",
    },
    "btn_lyrics": {"ko": "이 가사와 비슷한 노래", "en": "Find songs like these lyrics"},
    "results": {"ko": "추천 결과", "en": "Recommendations"},
    "plot_emotions": {"ko": "감정 프로필", "en": "Emotion profile"},
    "plot_arc": {"ko": "감정의 흐름 (절별)", "en": "Emotional arc (by section)"},
    "plot_heatmap": {"ko": "유사도 히트맵", "en": "Similarity heatmap"},
    "mood_intro": {
        "ko": "원하는 분위기를 감정 슬라이더로 그려 보세요. 0은 상관없음, 1은 아주 강하게.",
        "en": "Sketch the mood you want with the emotion sliders: 0 = don't care, 1 = very strongly.",
    },
    "btn_mood": {"ko": "이 분위기의 노래", "en": "Find songs for this mood"},
    "mood_plot": {"ko": "요청한 분위기", "en": "Requested mood"},
    "catalog_intro": {
        "ko": "내 노래 목록을 CSV 또는 JSON Lines 파일로 올리면 색인해서 추천에 쓸 수 있습니다. "
        "필수 열: `id`, `title`, `lyrics` (선택: `artist`, `year`, `lang`). UTF-8, 최대 {mb} MB, {songs}곡. "
        "올린 카탈로그는 이 브라우저 세션에서만 쓰이며 기본 카탈로그를 바꾸지 않습니다.",
        "en": "Upload your own songs as CSV or JSON Lines to index them and get recommendations from them. "
        "Required columns: `id`, `title`, `lyrics` (optional: `artist`, `year`, `lang`). UTF-8, at most "
        "{mb} MB and {songs} songs. The upload lives in this browser session only; the built-in catalog "
        "stays as it is.",
    },
    "upload": {"ko": "카탈로그 파일 (.csv / .jsonl)", "en": "Catalog file (.csv / .jsonl)"},
    "btn_upload": {"ko": "색인하기", "en": "Index it"},
    "browse": {"ko": "카탈로그 둘러보기", "en": "Browse the catalog"},
    "about": {
        "ko": "### 어떻게 동작하나요?\n"
        "1. 가사를 절(빈 줄, `[후렴]` 같은 태그)과 줄로 나눕니다.\n"
        "2. 줄마다 감정 분류 모델(GoEmotions 28개 감정, 한국어·영어)이 감정 확률을 냅니다.\n"
        "3. 길이로 가중 평균해 노래의 감정 벡터를 만들고, 카탈로그 평균을 뺀 뒤 코사인 유사도로 순위를 매깁니다.\n"
        "4. '공유 감정'은 두 노래가 함께 강하게 가진 감정, 즉 추천의 이유입니다.\n\n"
        "데모 카탈로그의 가사는 모두 이 프로젝트를 위해 새로 쓴 것이며 실제 노래가 아닙니다.",
        "en": "### How does it work?\n"
        "1. Lyrics are split into sections (blank lines, tags such as `[Chorus]`) and lines.\n"
        "2. An emotion classifier (GoEmotions' 28 emotions, Korean and English) scores every line.\n"
        "3. A length-weighted mean gives the song's emotion vector; songs are ranked by cosine similarity "
        "after subtracting the catalog's mean profile.\n"
        "4. 'Shared emotions' are the emotions both songs carry strongly: the reason for the match.\n\n"
        "The demo catalog's lyrics were all written for this project; none is a real song.",
    },
    # table headers
    "col_rank": {"ko": "순위", "en": "rank"},
    "col_title": {"ko": "제목", "en": "title"},
    "col_artist": {"ko": "아티스트", "en": "artist"},
    "col_year": {"ko": "연도", "en": "year"},
    "col_lang": {"ko": "언어", "en": "language"},
    "col_score": {"ko": "유사도", "en": "similarity"},
    "col_shared": {"ko": "공유 감정", "en": "shared emotions"},
    "col_id": {"ko": "id", "en": "id"},
    "col_top": {"ko": "주요 감정", "en": "top emotions"},
    # messages
    "msg_song_result": {
        "ko": "**{title}** — {artist}: 주요 감정 {emotions}",
        "en": "**{title}** — {artist}: top emotions {emotions}",
    },
    "msg_lyrics_result": {
        "ko": "붙여 넣은 가사 ({sections}개 절, {chunks}개 조각): 주요 감정 {emotions}",
        "en": "Pasted lyrics ({sections} sections, {chunks} chunks): top emotions {emotions}",
    },
    "msg_mood_result": {"ko": "요청한 분위기: {emotions}", "en": "Requested mood: {emotions}"},
    "msg_no_results": {
        "ko": "필터에 맞는 노래가 없습니다. 필터를 넓혀 보세요.",
        "en": "No song matches the filters. Try widening them.",
    },
    "err_no_song": {"ko": "노래를 먼저 고르세요.", "en": "Pick a song first."},
    "err_empty_lyrics": {"ko": "가사를 붙여 넣으세요 (비어 있습니다).", "en": "Paste some lyrics first (the box is empty)."},
    "err_long_lyrics": {
        "ko": "가사가 너무 깁니다: {n:,}자 (최대 {limit:,}자). 한 곡의 가사만 붙여 넣으세요.",
        "en": "The lyrics are too long: {n:,} characters (at most {limit:,}). Paste one song's lyrics.",
    },
    "err_mood_zero": {
        "ko": "감정 슬라이더를 하나 이상 0보다 크게 올리세요.",
        "en": "Raise at least one emotion slider above 0.",
    },
    "err_year_order": {
        "ko": "연도 범위가 거꾸로입니다: {lo} > {hi}.",
        "en": "The year range is reversed: {lo} > {hi}.",
    },
    "err_no_upload": {
        "ko": "아직 올린 카탈로그가 없습니다. '내 카탈로그' 탭에서 먼저 올리세요. 기본 카탈로그를 씁니다.",
        "en": "No uploaded catalog yet: upload one in the 'Your catalog' tab first. Using the built-in catalog.",
    },
    "err_no_file": {"ko": "파일을 먼저 고르세요.", "en": "Choose a file first."},
    "err_file_type": {
        "ko": "{name}: 지원하지 않는 파일 형식입니다. .csv 또는 .jsonl 파일을 올리세요.",
        "en": "{name}: unsupported file type. Upload a .csv or .jsonl file.",
    },
    "err_file_size": {
        "ko": "{name}: 파일이 너무 큽니다 ({size:.1f} MB, 최대 {limit} MB).",
        "en": "{name}: the file is too large ({size:.1f} MB, at most {limit} MB).",
    },
    "err_too_many_songs": {
        "ko": "{name}: 노래가 너무 많습니다 ({n:,}곡, 최대 {limit:,}곡). 파일을 나눠 주세요.",
        "en": "{name}: too many songs ({n:,}, at most {limit:,}). Split the file.",
    },
    "err_upload_long_lyrics": {
        "ko": "{name}: 노래 {song}의 가사가 너무 깁니다 ({n:,}자, 최대 {limit:,}자).",
        "en": "{name}: the lyrics of song {song} are too long ({n:,} characters, at most {limit:,}).",
    },
    "err_bad_file": {"ko": "파일을 읽을 수 없습니다: {error}", "en": "Cannot read the file: {error}"},
    "err_input": {"ko": "입력 오류: {error}", "en": "Input problem: {error}"},
    "err_not_number": {
        "ko": "{field}: 숫자가 아닙니다 ({value}).",
        "en": "{field}: not a number ({value}).",
    },
    "err_out_of_range": {
        "ko": "{field}: {value}은(는) 범위를 벗어납니다 ({lo}–{hi}).",
        "en": "{field}: {value} is out of range ({lo}–{hi}).",
    },
    "err_not_choice": {
        "ko": "{field}: 알 수 없는 값 {value}. 다음 중 하나를 쓰세요: {choices}.",
        "en": "{field}: unknown value {value}. Use one of: {choices}.",
    },
    "err_not_text": {"ko": "{field}: 글자가 와야 합니다 ({value}).", "en": "{field}: expected text, got {value}."},
    "err_not_bool": {"ko": "{field}: 참/거짓 값이 와야 합니다 ({value}).", "en": "{field}: expected true or false, got {value}."},
    "err_long_song": {
        "ko": "노래 id나 제목이 너무 깁니다: {n:,}자 (최대 {limit:,}자). 목록에서 노래를 고르세요.",
        "en": "The song id or title is too long: {n:,} characters (at most {limit:,}). Pick a song from the list.",
    },
    "err_only_song": {
        "ko": "카탈로그에 이 노래 한 곡뿐이라 비교할 노래가 없습니다. 두 곡 이상 올리거나 가사를 붙여 넣으세요.",
        "en": "The catalog holds only this one song, so there is nothing to compare it with. Upload at least "
        "two songs, or paste lyrics.",
    },
    "err_file_gone": {
        "ko": "파일을 다시 고르세요 (올린 파일은 색인 후 지워집니다).",
        "en": "Choose the file again (an uploaded file is deleted once it has been indexed or rejected).",
    },
    "err_internal": {
        "ko": "처리 중 문제가 생겼습니다 ({error}). 입력을 바꿔 다시 시도해 주세요.",
        "en": "Something went wrong ({error}). Please try again with a different input.",
    },
    "msg_indexed": {
        "ko": "✅ **{name}**: {n}곡을 색인했습니다 ({seconds:.1f}초). 이제 '{source}'에서 추천합니다.",
        "en": "✅ **{name}**: indexed {n} songs in {seconds:.1f} s. Recommendations now come from '{source}'.",
    },
    "msg_one_song": {
        "ko": "한 곡뿐이라 '비슷한 노래'는 비교할 대상이 없습니다. 붙여 넣은 가사와 분위기 검색은 이 곡을 보여 줍니다. "
        "비교하려면 두 곡 이상 올리세요.",
        "en": "With a single song, 'Similar songs' has nothing to compare it with; pasted lyrics and moods "
        "return that song. Upload at least two songs to compare them.",
    },
    "msg_catalog": {"ko": "{name}: {n}곡", "en": "{name}: {n} songs"},
    "progress_index": {"ko": "가사 색인 중", "en": "Indexing lyrics"},
    "progress_read": {"ko": "파일 확인 중", "en": "Checking the file"},
    "query": {"ko": "질의", "en": "query"},
    "your_lyrics": {"ko": "붙여 넣은 가사", "en": "your lyrics"},
    "your_mood": {"ko": "요청한 분위기", "en": "your mood"},
}


def text(key: str, lang: str = DEFAULT_UI_LANGUAGE, **values) -> str:
    """The interface string ``key`` in ``lang`` (``"ko"`` or ``"en"``), formatted with ``values``."""
    entry = TEXTS[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**values) if values else template


def emotion_name(label: str, lang: str = DEFAULT_UI_LANGUAGE) -> str:
    """The display name of an emotion label: Korean for ``lang="ko"`` where known, else the label."""
    if lang == "ko":
        return EMOTION_NAMES_KO.get(label, label)
    return label
