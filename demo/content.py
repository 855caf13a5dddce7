"""The demo content that ``seed_demo`` builds, offline.

The papers are real (their arXiv ids, titles, authors, institutions and dates are facts); every
abstract, summary, intro and news text is written for this demo.
"""

from __future__ import annotations

import datetime as dt

from papers.services import AuthorData, PaperMetadata

DEMO_PASSWORD = "weekly-demo-2026"  # noqa: S105 (printed for the local demo; never in production)

USERS = [
    # username, display name, affiliation, role
    ("admin", "Admin", "", "admin"),
    ("editor", "林编辑", "Weekly editorial team", "editor"),
    ("reviewer", "周审稿", "Weekly review team", "reviewer"),
    ("contributor", "陈贡献", "A university NLP lab", "contributor"),
    ("wang", "王小明", "An industrial research lab", "contributor"),
    ("li", "李华", "A graduate school", "contributor"),
]

#: What each role may do, as the demo's welcome lines say it.
ROLES = {
    "admin": "administrator: the admin site, every publication",
    "editor": "editor of Pretraining Weekly: assembles, publishes and corrects issues",
    "reviewer": "reviewer of Pretraining Weekly: approves recommendations or asks for changes",
    "contributor": "member: recommends papers and news",
}

TOPICS = [
    # slug, English, Chinese
    ("language-models", "Language models", "语言模型"),
    ("retrieval", "Retrieval", "检索"),
    ("multimodal", "Vision and language", "视觉语言"),
    ("scaling", "Scaling", "规模扩展"),
    ("fine-tuning", "Efficient fine-tuning", "高效微调"),
]


#: Abstracts written for this demo: each says what its paper does in a few plain sentences, in
#: its own words (not the authors' abstracts), so that the paper pages read as real ones.
ABSTRACTS = {
    "1706.03762": (
        "Sequence transduction models have mostly combined recurrent or convolutional encoders and "
        "decoders with an attention step between them. We describe the Transformer, a model that "
        "keeps only the attention: stacked layers of multi-head self-attention and position-wise "
        "feed-forward networks, with positional encodings in place of recurrence. Because no step "
        "waits for the previous one, training parallelises well, and on two machine translation "
        "benchmarks the model translates better than earlier systems while needing much less "
        "compute to train. It also carries over to constituency parsing with little tuning."
    ),
    "1810.04805": (
        "We present a way to pre-train deep bidirectional representations of text from unlabeled "
        "corpora by hiding some input tokens and predicting them from both sides, together with a "
        "task that asks whether two sentences follow each other. The resulting encoder is "
        "fine-tuned with a single added output layer for each downstream task, with no "
        "task-specific architecture. The approach improves the state of the art on a wide range "
        "of language understanding benchmarks, including question answering and natural language "
        "inference, and we study which of its parts matter most."
    ),
    "1907.11692": (
        "Pre-training language models is expensive, and comparisons between methods are often "
        "confounded by differences in data, batch size and training length. We revisit the "
        "training recipe of masked language model pre-training in a careful replication study. "
        "Training longer on more data with bigger batches, masking tokens dynamically and dropping "
        "the next-sentence objective together give a model that matches or exceeds later methods "
        "on standard benchmarks, which suggests that the original model was substantially "
        "undertrained. We release our models and code."
    ),
    "2001.08361": (
        "We measure how the cross-entropy loss of autoregressive language models depends on the "
        "number of parameters, the size of the dataset and the compute spent on training. Over "
        "several orders of magnitude each dependence follows a simple power law, while details "
        "such as depth versus width matter little within a wide range. The fitted relations "
        "predict how overfitting grows with model size and how fast models learn, and they imply "
        "that for a fixed compute budget it pays to train very large models and stop well before "
        "convergence."
    ),
    "2004.04906": (
        "Open-domain question answering first needs to find the passages that may hold an answer, "
        "a step usually done with sparse term-matching methods. We show that retrieval can be done "
        "with dense vectors alone: two encoders, one for questions and one for passages, are "
        "trained on a modest number of question and passage pairs, using the other passages of a "
        "batch as negatives. The learned retriever finds relevant passages far more often than a "
        "strong sparse baseline, and an end-to-end question answering system built on it sets new "
        "results on several benchmarks."
    ),
    "2010.11929": (
        "Attention-based architectures dominate language processing, but in vision they have "
        "mostly been used alongside convolutions. We show that a standard Transformer applied "
        "directly to a sequence of fixed-size image patches can classify images well with no "
        "convolution at all. Pre-trained on large datasets and then transferred to smaller "
        "benchmarks, this Vision Transformer matches or beats strong convolutional networks while "
        "needing considerably less compute to train. With less pre-training data it falls behind, "
        "which we relate to its weaker built-in assumptions about images."
    ),
    "2103.00020": (
        "Image classifiers are usually trained to predict a fixed set of labels, which limits what "
        "they can recognise without more labelled data. We instead learn from images paired with "
        "the text that accompanies them on the web, training an image encoder and a text encoder "
        "to tell which caption belongs to which image. After pre-training, natural language names "
        "the visual concepts, so the model classifies images into new categories with no further "
        "training. We evaluate this zero-shot transfer on many existing datasets and compare it "
        "with fully supervised baselines."
    ),
    "2106.09685": (
        "Fine-tuning every weight of a large pre-trained language model for each task is costly to "
        "train and to store. We propose to freeze the pre-trained weights and learn, for selected "
        "layers, an update constrained to a low-rank product of two small matrices. This reduces "
        "the number of trainable parameters by orders of magnitude and the memory needed for "
        "training by about two thirds, while quality on the tasks we try is on par with full "
        "fine-tuning. The learned matrices can be merged into the frozen weights, so inference is "
        "no slower than with the original model."
    ),
    "2109.08133": (
        "Dense phrase retrieval indexes every phrase of a corpus so that answers can be found "
        "directly, without first retrieving passages. We observe that such a model, trained only "
        "for phrases, also works as a passage retriever when phrase scores are aggregated per "
        "passage, and often outperforms retrievers trained for passages. We analyse why "
        "phrase-level supervision gives finer matching signals, show that the same model helps "
        "document-level tasks such as entity linking and fact checking, and reduce the size of the "
        "phrase index substantially with little loss in accuracy."
    ),
    "2109.10686": (
        "Scaling studies of Transformers usually describe model quality as a function of "
        "parameter count, measured on the pre-training objective. We study how model shape and "
        "size affect quality after fine-tuning as well, across many configurations of depth, width "
        "and number of heads. We find that pre-training loss alone does not predict downstream "
        "quality, that the best shape changes with scale, and that deeper, narrower models can "
        "match larger standard ones with fewer parameters and less compute. We release our "
        "checkpoints for further study."
    ),
    "2203.15556": (
        "Given a fixed compute budget, how large should a language model be and on how many tokens "
        "should it train? We train several hundred models of different sizes on different amounts "
        "of data and find that size and training tokens should grow in equal proportion, unlike "
        "the practice of recent large models, which are undertrained for their size. A model "
        "trained on this principle, with the compute of a much larger predecessor but a quarter "
        "of its parameters and four times its data, outperforms it across a large set of "
        "evaluations and is cheaper to use afterwards."
    ),
}


def _paper(
    arxiv_id: str,
    title: str,
    authors: list[str],
    institutions: list[str],
    published: str,
    category: str,
    code_url: str = "",
) -> tuple[str, PaperMetadata]:
    return arxiv_id, PaperMetadata(
        title=title,
        abstract=ABSTRACTS[arxiv_id],
        authors=[AuthorData(name) for name in authors],
        institutions=institutions,
        published_on=dt.date.fromisoformat(published),
        primary_category=category,
        categories=[category],
        code_url=code_url,
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
    )


PAPERS = dict(
    [
        _paper(
            "1706.03762",
            "Attention Is All You Need",
            ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit", "Llion Jones",
             "Aidan N. Gomez", "Łukasz Kaiser", "Illia Polosukhin"],
            ["Google Brain", "Google Research", "University of Toronto"],
            "2017-06-12",
            "cs.CL",
        ),
        _paper(
            "1810.04805",
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"],
            ["Google AI Language"],
            "2018-10-11",
            "cs.CL",
            "https://github.com/google-research/bert",
        ),
        _paper(
            "1907.11692",
            "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
            ["Yinhan Liu", "Myle Ott", "Naman Goyal", "Jingfei Du", "Mandar Joshi", "Danqi Chen",
             "Omer Levy", "Mike Lewis", "Luke Zettlemoyer", "Veselin Stoyanov"],
            ["Facebook AI", "University of Washington"],
            "2019-07-26",
            "cs.CL",
        ),
        _paper(
            "2001.08361",
            "Scaling Laws for Neural Language Models",
            ["Jared Kaplan", "Sam McCandlish", "Tom Henighan", "Tom B. Brown", "Benjamin Chess",
             "Rewon Child", "Scott Gray", "Alec Radford", "Jeffrey Wu", "Dario Amodei"],
            ["OpenAI", "Johns Hopkins University"],
            "2020-01-23",
            "cs.LG",
        ),
        _paper(
            "2004.04906",
            "Dense Passage Retrieval for Open-Domain Question Answering",
            ["Vladimir Karpukhin", "Barlas Oğuz", "Sewon Min", "Patrick Lewis", "Ledell Wu",
             "Sergey Edunov", "Danqi Chen", "Wen-tau Yih"],
            ["Facebook AI", "University of Washington", "Princeton University"],
            "2020-04-10",
            "cs.CL",
            "https://github.com/facebookresearch/DPR",
        ),
        _paper(
            "2010.11929",
            "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
            ["Alexey Dosovitskiy", "Lucas Beyer", "Alexander Kolesnikov", "Dirk Weissenborn",
             "Xiaohua Zhai", "Thomas Unterthiner", "Mostafa Dehghani", "Matthias Minderer",
             "Georg Heigold", "Sylvain Gelly", "Jakob Uszkoreit", "Neil Houlsby"],
            ["Google Research"],
            "2020-10-22",
            "cs.CV",
            "https://github.com/google-research/vision_transformer",
        ),
        _paper(
            "2103.00020",
            "Learning Transferable Visual Models From Natural Language Supervision",
            ["Alec Radford", "Jong Wook Kim", "Chris Hallacy", "Aditya Ramesh", "Gabriel Goh",
             "Sandhini Agarwal", "Girish Sastry", "Amanda Askell", "Pamela Mishkin", "Jack Clark",
             "Gretchen Krueger", "Ilya Sutskever"],
            ["OpenAI"],
            "2021-02-26",
            "cs.CV",
            "https://github.com/openai/CLIP",
        ),
        _paper(
            "2106.09685",
            "LoRA: Low-Rank Adaptation of Large Language Models",
            ["Edward J. Hu", "Yelong Shen", "Phillip Wallis", "Zeyuan Allen-Zhu", "Yuanzhi Li",
             "Shean Wang", "Lu Wang", "Weizhu Chen"],
            ["Microsoft"],
            "2021-06-17",
            "cs.CL",
            "https://github.com/microsoft/LoRA",
        ),
        _paper(
            "2109.08133",
            "Phrase Retrieval Learns Passage Retrieval, Too",
            ["Jinhyuk Lee", "Alexander Wettig", "Danqi Chen"],
            ["Princeton University", "Korea University"],
            "2021-09-16",
            "cs.CL",
            "https://github.com/princeton-nlp/DensePhrases",
        ),
        _paper(
            "2109.10686",
            "Scale Efficiently: Insights from Pre-training and Fine-tuning Transformers",
            ["Yi Tay", "Mostafa Dehghani", "Jinfeng Rao", "William Fedus", "Samira Abnar",
             "Hyung Won Chung", "Sharan Narang", "Dani Yogatama", "Ashish Vaswani",
             "Donald Metzler"],
            ["Google Research", "DeepMind"],
            "2021-09-22",
            "cs.CL",
        ),
        _paper(
            "2203.15556",
            "Training Compute-Optimal Large Language Models",
            ["Jordan Hoffmann", "Sebastian Borgeaud", "Arthur Mensch", "Elena Buchatskaya",
             "Trevor Cai", "Eliza Rutherford", "Diego de Las Casas", "Lisa Anne Hendricks",
             "Johannes Welbl", "Aidan Clark"],
            ["DeepMind"],
            "2022-03-29",
            "cs.CL",
        ),
    ]
)  # fmt: skip

# Recommendations: (arxiv id or None for news, topic slug, submitter, Chinese title, summary).
# Summaries are written for this demo.
ISSUE_1 = {
    "title": "注意力就是全部、BERT 与 RoBERTa",
    "entries": [
        (
            "1706.03762",
            "language-models",
            "contributor",
            "注意力就是你所需要的一切",
            "这篇论文提出完全基于注意力机制的 Transformer 架构，去掉了循环和卷积结构。"
            "编码器和解码器都由多头自注意力与前馈层堆叠而成，训练可以高度并行。"
            "它是此后几乎所有预训练语言模型的共同起点，值得每位新成员从头读一遍。",
        ),
        (
            "1810.04805",
            "language-models",
            "wang",
            "BERT：用于语言理解的深度双向 Transformer 预训练",
            "作者用掩码语言模型和下一句预测两个任务预训练一个双向 Transformer 编码器，"
            "再在下游任务上整体微调。文章清楚地展示了“先预训练、后微调”的范式为何有效，"
            "附带的开源代码也让复现变得容易。",
        ),
        (
            "1907.11692",
            "language-models",
            "li",
            "RoBERTa：一种稳健优化的 BERT 预训练方法",
            "这是一篇关于训练细节的认真复盘：更多数据、更大的批次、更长的训练、动态掩码、"
            "去掉下一句预测。结论是原始 BERT 明显训练不足，调好训练配方本身就能带来大幅提升。",
        ),
        (
            None,
            None,
            "contributor",
            "社区读书会开始报名",
            "我们计划每两周组织一次线上读书会，轮流精读周刊中推荐的论文，欢迎在站内报名领读。",
        ),
    ],
    "news_links": {"社区读书会开始报名": "https://example.org/reading-group"},
}

ISSUE_2 = {
    "title": "规模定律、稠密段落检索与短语检索",
    "entries": [
        (
            "2001.08361",
            "scaling",
            "wang",
            "神经语言模型的规模定律",
            "作者系统测量了模型参数量、数据量和计算量与语言模型损失之间的关系，"
            "发现三者在很大范围内都呈幂律。文章给出的经验公式为如何分配训练预算提供了直接参考。",
        ),
        (
            "2004.04906",
            "retrieval",
            "contributor",
            "面向开放域问答的稠密段落检索",
            "论文用两个 BERT 编码器分别编码问题和段落，以向量内积做检索，"
            "只用问答对和批内负例训练就超过了 BM25。这项工作让稠密检索成为开放域问答的常用组件。",
        ),
        (
            "2109.08133",
            "retrieval",
            "li",
            "短语检索也能学会段落检索",
            "作者发现，一个为短语检索训练的稠密模型无需再训练，就能通过聚合短语得分完成段落和文档检索，"
            "并分析了短语级监督为何能学到更细的匹配信号。文中的索引压缩方法也很实用。",
        ),
        (
            "2109.10686",
            "scaling",
            "contributor",
            "高效扩展：来自预训练与微调 Transformer 的启示",
            "文章比较了不同形状和规模的 Transformer 在预训练与微调阶段的表现，"
            "指出只看参数量并不够，模型的深宽比例同样重要，并给出了更省计算的配置建议。",
        ),
        (
            None,
            None,
            "wang",
            "开源预训练语料清洗工具发布",
            "一个社区团队发布了面向中文网页语料的去重与质量过滤工具，附带处理流程说明和评测脚本。",
        ),
    ],
    "news_links": {"开源预训练语料清洗工具发布": "https://example.org/corpus-tools"},
}

# Waiting in the queue after the two issues: (arxiv id, topic, submitter, title_zh, summary, fate)
PENDING = [
    (
        "2010.11929",
        "multimodal",
        "li",
        "一张图值 16x16 个词：大规模图像识别的 Transformer",
        "作者把图像切成固定大小的块，当作词序列直接送入标准 Transformer。"
        "在足够大的数据上预训练后，这种不含卷积的模型在图像分类上达到了很强的效果。",
        "accepted",
    ),
    (
        "2103.00020",
        "multimodal",
        "contributor",
        "从自然语言监督中学习可迁移的视觉模型",
        "CLIP 用海量图文对做对比学习，让图像编码器和文本编码器对齐，"
        "从而可以用自然语言描述直接完成零样本分类。文章的评测覆盖面很广。",
        "submitted",
    ),
    (
        "2106.09685",
        "fine-tuning",
        "wang",
        "LoRA：大语言模型的低秩适配",
        "冻结预训练权重，只在注意力层旁边训练低秩分解矩阵，可训练参数大幅减少而效果相当。"
        "推理时可以把低秩矩阵合并回原权重，不增加延迟。",
        "submitted",
    ),
    (
        "2203.15556",
        "scaling",
        "li",
        "训练计算最优的大语言模型",
        "这篇论文重新估计了固定计算预算下模型规模与训练数据量的最佳配比，"
        "结论是当时的大模型普遍训练数据不足。",
        "changes_requested",
    ),
]


# --- the candidate inbox ----------------------------------------------------------------------

#: The demo publication's watch: what its editors ask arXiv for every day.
INBOX_WATCH = ("Pretraining and scaling", "cs.CL cs.LG", "abs:pretrain* OR abs:scaling")

#: Papers the demo's watch "found": made up for this demo (titles, abstracts, authors and their
#: arXiv numbers, which are past any month's count of submissions), so that the inbox has
#: candidates without a poll. Each subject is written up in three ways.
_INBOX_SUBJECTS = [
    (
        "data mixtures for language model pretraining",
        "the share of code, books and web pages in a pretraining corpus",
    ),
    (
        "tokenizers for bilingual Chinese and English pretraining",
        "how a shared vocabulary splits Chinese characters and English words",
    ),
    (
        "learning-rate schedules for long pretraining runs",
        "warm-up, decay and restarts over hundreds of billions of tokens",
    ),
    (
        "retrieval-augmented pretraining",
        "a retriever that feeds neighbouring passages to the language model while it learns",
    ),
    (
        "low-rank adapters for efficient fine-tuning",
        "small trainable matrices beside the frozen weights of a pretrained model",
    ),
    (
        "vision-language pretraining on captioned images",
        "pairs of images and captions gathered from the web",
    ),
    (
        "scaling laws for mixture-of-experts language models",
        "how the loss falls with the number of experts and of active parameters",
    ),
    (
        "deduplication of pretraining corpora",
        "near-duplicate documents found by hashing before pretraining",
    ),
]
_INBOX_ANGLES = [
    (
        "A careful study of {subject}",
        "We study {detail}. Across language models from 100 million to 3 billion parameters we "
        "measure what changes downstream, and give a recipe that others can follow.",
    ),
    (
        "What matters in {subject}: a replication",
        "Earlier reports on {subject} disagree. We replicate them under one training setup and "
        "find that most differences vanish once {detail} is held fixed.",
    ),
    (
        "Cheaper {subject}",
        "Work on {subject} is costly: it turns on {detail}. We reach the same quality with a "
        "third of the compute, and release our code and checkpoints.",
    ),
]
_INBOX_ELSEWHERE = [
    (
        "Rotation curves of dwarf galaxies from a radio survey",
        "Dark matter halos of forty dwarf galaxies are fitted to rotation curves measured by a "
        "radio survey; cored profiles fit better than cusps.",
    ),
    (
        "Folding intermediates of a membrane protein seen by cryo-electron microscopy",
        "Three intermediate states of a membrane protein are resolved at near-atomic resolution.",
    ),
    (
        "Quadruped gaits on sand learnt with a terrain-aware controller",
        "A legged robot learns to walk on granular ground from a few hours of trials.",
    ),
    (
        "Chromatic numbers of sparse random graphs",
        "We bound the chromatic number of sparse random graphs by a second moment argument.",
    ),
]
_INBOX_AUTHORS = ["Mei Zhang", "Arjun Rao", "Lena Fischer", "Tomás Ortega", "Yuki Sato"]


def _inbox_papers() -> list[tuple[str, PaperMetadata]]:
    texts = [
        (
            title.format(subject=subject),
            abstract.format(subject=subject, detail=detail),
        )
        for subject, detail in _INBOX_SUBJECTS
        for title, abstract in _INBOX_ANGLES
    ] + _INBOX_ELSEWHERE
    papers = []
    for number, (title, abstract) in enumerate(texts, start=1):
        papers.append(
            (
                f"2612.{99000 + number}",
                PaperMetadata(
                    title=title[0].upper() + title[1:],
                    abstract=abstract,
                    authors=[
                        AuthorData(_INBOX_AUTHORS[(number + k) % len(_INBOX_AUTHORS)])
                        for k in range(2)
                    ],
                    published_on=dt.date(2026, 12, 1) + dt.timedelta(days=number % 6),
                    primary_category="cs.CL" if number <= 24 else "physics.gen-ph",
                    categories=["cs.CL"] if number <= 24 else ["physics.gen-ph"],
                ),
            )
        )
    return papers


#: The inbox's candidates: (arXiv id, metadata), 28 of them.
INBOX_PAPERS = dict(_inbox_papers())
#: Who claimed which (by the candidate's place in the rank), and the one dismissed, with why.
INBOX_CLAIMS = [(0, "wang"), (2, "li"), (5, "contributor")]
INBOX_DISMISSED = (7, "li", "读过了，和第一期的规模定律那篇重复。")
INBOX_INTEREST = [(0, "li"), (1, "wang"), (1, "contributor"), (3, "wang")]
