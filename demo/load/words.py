"""The words ``generate_load_data`` builds its papers, people and texts from.

Written for the load data: research terms paired with their Chinese, so a generated paper's
Chinese title is a translation of its English one and a search for a Chinese term finds the
papers whose English title holds the English one. Plain data, no Django: the benchmark imports
``SEARCH_WORDS`` without setting Django up.
"""

from __future__ import annotations

#: Words that occur in a good share of the generated titles, abstracts and summaries: the
#: benchmark searches for them. Each pair occurs together (an English title with "retrieval"
#: has a Chinese title with 检索).
SEARCH_WORDS = {"en": "retrieval", "zh": "检索"}

METHODS = [
    ("Contrastive Learning", "对比学习"),
    ("Knowledge Distillation", "知识蒸馏"),
    ("Prompt Tuning", "提示微调"),
    ("Instruction Tuning", "指令微调"),
    ("Retrieval Augmentation", "检索增强"),
    ("Mixture of Experts", "混合专家"),
    ("Low-Rank Adaptation", "低秩适配"),
    ("Sparse Attention", "稀疏注意力"),
    ("Masked Language Modeling", "掩码语言建模"),
    ("Reinforcement Learning from Human Feedback", "基于人类反馈的强化学习"),
    ("Chain-of-Thought Prompting", "思维链提示"),
    ("Self-Supervised Pretraining", "自监督预训练"),
    ("Curriculum Learning", "课程学习"),
    ("Data Augmentation", "数据增强"),
    ("Quantization", "量化"),
    ("Structured Pruning", "结构化剪枝"),
    ("Graph Neural Networks", "图神经网络"),
    ("Diffusion Models", "扩散模型"),
    ("Adversarial Training", "对抗训练"),
    ("Multi-Task Learning", "多任务学习"),
    ("Meta-Learning", "元学习"),
    ("Dense Retrieval", "稠密检索"),
    ("Speculative Decoding", "推测解码"),
    ("Preference Optimization", "偏好优化"),
    ("Subword Tokenization", "子词切分"),
    ("Rotary Position Embeddings", "旋转位置编码"),
    ("Continual Pretraining", "持续预训练"),
    ("Model Merging", "模型融合"),
    ("In-Context Learning", "上下文学习"),
    ("Federated Learning", "联邦学习"),
]

TASKS = [
    ("Open-Domain Question Answering", "开放域问答"),
    ("Machine Translation", "机器翻译"),
    ("Text Summarization", "文本摘要"),
    ("Code Generation", "代码生成"),
    ("Named Entity Recognition", "命名实体识别"),
    ("Passage Ranking", "段落排序"),
    ("Image Captioning", "图像描述生成"),
    ("Visual Question Answering", "视觉问答"),
    ("Dialogue Generation", "对话生成"),
    ("Sentiment Analysis", "情感分析"),
    ("Mathematical Reasoning", "数学推理"),
    ("Speech Recognition", "语音识别"),
    ("Information Retrieval", "信息检索"),
    ("Relation Extraction", "关系抽取"),
    ("Text Classification", "文本分类"),
    ("Protein Structure Prediction", "蛋白质结构预测"),
    ("Sequential Recommendation", "序列推荐"),
    ("Semantic Parsing", "语义解析"),
    ("Long-Document Understanding", "长文档理解"),
    ("Commonsense Reasoning", "常识推理"),
    ("Video Understanding", "视频理解"),
    ("Table Question Answering", "表格问答"),
    ("Knowledge Graph Completion", "知识图谱补全"),
    ("Text-to-Image Generation", "文本生成图像"),
    ("Robot Manipulation", "机器人操作"),
]

MODELS = [
    ("Large Language Models", "大语言模型"),
    ("Pretrained Transformers", "预训练 Transformer"),
    ("Vision-Language Models", "视觉语言模型"),
    ("Encoder-Decoder Models", "编码器-解码器模型"),
    ("Small Language Models", "小型语言模型"),
    ("Multilingual Language Models", "多语言模型"),
    ("Speech Foundation Models", "语音基础模型"),
    ("Code Language Models", "代码语言模型"),
    ("Retrieval-Augmented Language Models", "检索增强语言模型"),
    ("Mixture-of-Experts Transformers", "混合专家 Transformer"),
    ("State Space Models", "状态空间模型"),
    ("Vision Transformers", "视觉 Transformer"),
]

ADJECTIVES = [
    ("Efficient", "高效"),
    ("Robust", "鲁棒"),
    ("Scalable", "可扩展"),
    ("Interpretable", "可解释"),
    ("Data-Efficient", "数据高效"),
    ("Zero-Shot", "零样本"),
    ("Few-Shot", "少样本"),
    ("Multilingual", "多语言"),
    ("Long-Context", "长上下文"),
    ("Faithful", "忠实"),
    ("Unified", "统一"),
    ("Lightweight", "轻量级"),
]

PROPERTIES = [
    ("Scaling Laws", "规模定律"),
    ("Robustness", "鲁棒性"),
    ("Calibration", "校准"),
    ("Memorization", "记忆现象"),
    ("Generalization", "泛化能力"),
    ("Emergent Abilities", "涌现能力"),
    ("Training Dynamics", "训练动态"),
    ("Hallucinations", "幻觉问题"),
    ("Sample Efficiency", "样本效率"),
    ("Inductive Biases", "归纳偏置"),
]

#: (English, Chinese) title patterns over {adj} {method} {method2} {task} {model} {prop} {name}.
TITLES = [
    ("{adj} {method} for {task}", "面向{task}的{adj}{method}"),
    ("{name}: {adj} {task} with {model}", "{name}：基于{model}的{adj}{task}"),
    ("On the {prop} of {model}", "论{model}的{prop}"),
    ("Improving {task} via {method}", "通过{method}改进{task}"),
    (
        "{method} Meets {method2}: Towards {adj} {model}",
        "当{method}遇上{method2}：迈向{adj}{model}",
    ),
    ("Revisiting {method} in {model}", "重新审视{model}中的{method}"),
    ("{name}: A Benchmark for {task} with {model}", "{name}：{model}{task}评测基准"),
    ("Understanding {prop} in {method}", "理解{method}中的{prop}"),
    (
        "Do {model} Need {method}? An Empirical Study of {task}",
        "{model}需要{method}吗？{task}的实证研究",
    ),
    ("{name}: Scaling {method} for {adj} {task}", "{name}：面向{adj}{task}的{method}规模扩展"),
]

NAME_PARTS = [
    "RE", "TRO", "LA", "MA", "BERT", "GPT", "FLAN", "PAL", "ORCA", "CO", "SPAR", "DEX", "NOVA",
    "LU", "XL", "ERNIE", "GLM", "QWEN", "MIN", "DA", "VI", "SEER", "FUSE", "PRO", "STAR", "ATLAS",
]  # fmt: skip

ABSTRACT_SENTENCES = [
    "{Model} have achieved remarkable success on {task}, yet their {prop} remains poorly "
    "understood.",
    "In this paper, we propose {name}, a {adj} approach to {task} based on {method}.",
    "Our method combines {method} with {method2} and requires no additional labelled data.",
    "Experiments on {k} benchmarks show that {name} outperforms strong baselines by {x} points "
    "on average.",
    "We further analyse the {prop} of the resulting models and find that {method} matters more "
    "than model size.",
    "We release a new dataset of {n}k examples for {task}, annotated by experts.",
    "Ablation studies show that each component of {name} contributes to the final performance.",
    "Compared with prior work on {method2}, our approach reduces training cost by {p}%.",
    "These results suggest that {method} is a simple and effective recipe for {model}.",
    "Code, data and model checkpoints are publicly available.",
]

SUMMARIES_ZH = [
    "本文提出 **{name}**，一种基于{method_zh}的{task_zh}方法。作者发现{prop_zh}与训练数据的质量"
    "密切相关，并在 {k} 个基准上平均提升 {x} 个点。\n\n推荐理由：{reason_zh}",
    "这篇工作系统研究了{model_zh}的{prop_zh}。作者通过大量实验表明，{method_zh}在{task_zh}上"
    "比单纯扩大模型规模更有效。\n\n- 实验设置清晰，结论可复现\n- {reason_zh}",
    "**{name}** 将{method_zh}与{method2_zh}结合起来，用于{task_zh}，在不增加标注数据的情况下"
    "取得了 {x} 个点的提升。{reason_zh}",
]

REASONS_ZH = [
    "思路简洁，易于复现。",
    "对{prop_zh}的分析很有启发。",
    "代码已开源，值得一试。",
    "实验非常扎实，适合作为该方向的入门阅读。",
    "为{task_zh}提供了一个很强的基线。",
]

SUMMARIES_EN = [
    "The authors introduce **{name}**, which applies {method} to {task}. It improves on strong "
    "baselines by {x} points across {k} benchmarks.\n\n- {reason_en}\n- Ablations are thorough",
    "A careful study of the {prop} of {model}: {method} helps more than scale on {task}. "
    "{reason_en}",
    "**{name}** combines {method} with {method2} for {task}, with no extra labelled data. "
    "{reason_en}",
]

REASONS_EN = [
    "A clean idea that is easy to reproduce.",
    "The analysis section alone is worth the read.",
    "Code and checkpoints are released.",
    "A strong baseline for anyone working on this task.",
]

REVIEW_COMMENTS = {
    "approve": ["写得清楚，通过。", "", "Good summary, thanks!", "推荐理由充分。", ""],
    "request_changes": [
        "请补充这篇论文与之前工作的区别，再提交一次。",
        "Please say in one sentence what is new compared with prior work.",
        "简介太长了，请精简到一段。",
    ],
    "reject": [
        "这篇论文与本刊的主题关系不大。",
        "Out of scope for this publication.",
        "这篇论文已经在其他期推荐过了。",
        "The summary restates the abstract; please write what you found useful.",
    ],
}

NEWS = [
    ("{org}发布{model_zh}新版本", "{org} releases a new generation of {model}"),
    ("{org}开源{task_zh}数据集", "{org} open-sources a {task} dataset"),
    ("{org}举办{method_zh}研讨会", "{org} hosts a workshop on {method}"),
    ("{org}公布{year}年度最佳论文", "{org} announces its {year} best papers"),
]

NEWS_SOURCES = [
    # Chinese name, English name, host
    ("智源研究院", "BAAI", "www.baai.ac.cn"),
    ("Hugging Face", "Hugging Face", "huggingface.co"),
    ("谷歌 DeepMind", "Google DeepMind", "deepmind.google"),
    ("Meta AI", "Meta AI", "ai.meta.com"),
    ("清华大学", "Tsinghua University", "www.tsinghua.edu.cn"),
    ("上海人工智能实验室", "Shanghai AI Laboratory", "www.shlab.org.cn"),
    ("艾伦人工智能研究所", "Allen Institute for AI", "allenai.org"),
    ("ACL", "ACL", "www.aclweb.org"),
]

TOPICS = [
    # slug, English, Chinese
    ("language-models", "Language models", "语言模型"),
    ("retrieval", "Retrieval", "检索"),
    ("multimodal", "Vision and language", "视觉语言"),
    ("scaling", "Scaling", "规模扩展"),
    ("fine-tuning", "Efficient fine-tuning", "高效微调"),
    ("reasoning", "Reasoning", "推理"),
    ("alignment", "Alignment", "对齐"),
    ("code", "Code", "代码"),
    ("speech", "Speech", "语音"),
    ("architecture", "Network architecture", "网络架构"),
    ("text-ranking", "Text ranking", "文本排序"),
    ("phrase-retrieval", "Phrase retrieval", "短语检索"),
    ("evaluation", "Evaluation", "评测"),
    ("efficiency", "Inference efficiency", "推理效率"),
    ("multilingual", "Multilingual", "多语言"),
    ("science", "AI for science", "科学智能"),
]

INSTITUTIONS = [
    ("Tsinghua University", "清华大学"),
    ("Peking University", "北京大学"),
    ("Shanghai Jiao Tong University", "上海交通大学"),
    ("Fudan University", "复旦大学"),
    ("Zhejiang University", "浙江大学"),
    ("University of Science and Technology of China", "中国科学技术大学"),
    ("Chinese Academy of Sciences", "中国科学院"),
    ("Renmin University of China", "中国人民大学"),
    ("Harbin Institute of Technology", "哈尔滨工业大学"),
    ("Nanjing University", "南京大学"),
    ("Beijing Academy of Artificial Intelligence", "北京智源人工智能研究院"),
    ("Shanghai AI Laboratory", "上海人工智能实验室"),
    ("Sun Yat-sen University", "中山大学"),
    ("Beihang University", "北京航空航天大学"),
    ("Stanford University", "斯坦福大学"),
    ("Massachusetts Institute of Technology", "麻省理工学院"),
    ("Carnegie Mellon University", "卡内基梅隆大学"),
    ("University of California, Berkeley", "加州大学伯克利分校"),
    ("University of Washington", "华盛顿大学"),
    ("Princeton University", "普林斯顿大学"),
    ("University of Oxford", "牛津大学"),
    ("University of Cambridge", "剑桥大学"),
    ("ETH Zurich", "苏黎世联邦理工学院"),
    ("University of Toronto", "多伦多大学"),
    ("Mila", "蒙特利尔学习算法研究所"),
    ("Google Research", "谷歌研究院"),
    ("Google DeepMind", ""),
    ("Microsoft Research", "微软研究院"),
    ("Meta AI", ""),
    ("Allen Institute for AI", "艾伦人工智能研究所"),
    ("Alibaba DAMO Academy", "阿里巴巴达摩院"),
    ("Tencent AI Lab", "腾讯 AI Lab"),
    ("Baidu Research", "百度研究院"),
    ("ByteDance Research", "字节跳动研究院"),
    ("Huawei Noah's Ark Lab", "华为诺亚方舟实验室"),
    ("KAIST", "韩国科学技术院"),
    ("Seoul National University", "首尔大学"),
    ("Korea University", "高丽大学"),
    ("University of Tokyo", "东京大学"),
    ("National University of Singapore", "新加坡国立大学"),
    ("Nanyang Technological University", "南洋理工大学"),
    ("Hong Kong University of Science and Technology", "香港科技大学"),
    ("The University of Hong Kong", "香港大学"),
    ("The Chinese University of Hong Kong", "香港中文大学"),
    ("University of Edinburgh", "爱丁堡大学"),
    ("New York University", "纽约大学"),
    ("Columbia University", "哥伦比亚大学"),
    ("Cornell University", "康奈尔大学"),
    ("University of Illinois Urbana-Champaign", "伊利诺伊大学厄巴纳-香槟分校"),
    ("Max Planck Institute for Intelligent Systems", "马普智能系统研究所"),
    ("EPFL", "洛桑联邦理工学院"),
    ("University of Amsterdam", "阿姆斯特丹大学"),
    ("Hugging Face", ""),
    ("NVIDIA", "英伟达"),
    ("Salesforce Research", ""),
    ("IBM Research", "IBM 研究院"),
    ("Wuhan University", "武汉大学"),
    ("Xiamen University", "厦门大学"),
]

#: For more institutions than the list above: (English, Chinese) patterns over a city.
INSTITUTION_PATTERNS = [
    ("University of {city}", "{city_zh}大学"),
    ("{city} Institute of Technology", "{city_zh}理工学院"),
    ("{city} Normal University", "{city_zh}师范大学"),
    ("{city} University of Science and Technology", "{city_zh}科技大学"),
    ("{city} Academy of Artificial Intelligence", "{city_zh}人工智能研究院"),
    ("{city} Laboratory for Language Intelligence", "{city_zh}语言智能实验室"),
    ("{city} Research Center for Machine Learning", "{city_zh}机器学习研究中心"),
    ("{city} Institute of Computing", "{city_zh}计算技术研究所"),
]

CITIES = [
    ("Beijing", "北京"), ("Shanghai", "上海"), ("Shenzhen", "深圳"), ("Hangzhou", "杭州"),
    ("Nanjing", "南京"), ("Wuhan", "武汉"), ("Chengdu", "成都"), ("Xi'an", "西安"),
    ("Tianjin", "天津"), ("Chongqing", "重庆"), ("Suzhou", "苏州"), ("Hefei", "合肥"),
    ("Changsha", "长沙"), ("Jinan", "济南"), ("Dalian", "大连"), ("Xiamen", "厦门"),
    ("Qingdao", "青岛"), ("Shenyang", "沈阳"), ("Harbin", "哈尔滨"), ("Kunming", "昆明"),
    ("Boston", "波士顿"), ("Seattle", "西雅图"), ("Austin", "奥斯汀"), ("Toronto", "多伦多"),
    ("Montreal", "蒙特利尔"), ("London", "伦敦"), ("Paris", "巴黎"), ("Berlin", "柏林"),
    ("Munich", "慕尼黑"), ("Zurich", "苏黎世"), ("Amsterdam", "阿姆斯特丹"), ("Tokyo", "东京"),
    ("Kyoto", "京都"), ("Seoul", "首尔"), ("Singapore", "新加坡"), ("Sydney", "悉尼"),
    ("Melbourne", "墨尔本"), ("Edinburgh", "爱丁堡"), ("Vienna", "维也纳"),
    ("Helsinki", "赫尔辛基"),
]  # fmt: skip

SURNAMES_PINYIN = [
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
    "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Song", "Tang",
    "Han", "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan", "Cai",
    "Jiang", "Yu", "Du", "Ye", "Cheng", "Wei", "Su", "Lu", "Ding", "Ren", "Shen", "Yao", "Fan",
]  # fmt: skip
GIVEN_PINYIN = [
    "Wei", "Fang", "Jing", "Lei", "Yang", "Jie", "Tao", "Ming", "Chao", "Hao", "Yu", "Xin",
    "Yi", "Jun", "Hui", "Lin", "Peng", "Bo", "Kai", "Zhen", "Yuxuan", "Zihan", "Haoran", "Yifan",
    "Jiayi", "Xinyu", "Zhiyuan", "Chenxi", "Ruoxi", "Mingyu", "Jiahao", "Siyu", "Yiming",
    "Tianyu", "Zhengyang", "Shuang", "Qian", "Ning", "Rui", "Xiaoyu", "Junyi", "Yuchen",
    "Hongyu", "Zeyu", "Wenhao", "Kaiyuan", "Shuo", "Dian", "Yuhan", "Zhihao",
]  # fmt: skip
SURNAMES_OTHER = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia", "Wilson",
    "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Lee", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker",
    "Adams", "Nelson", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Dubois", "Laurent",
    "Moreau", "Rossi", "Russo", "Bianchi", "Kim", "Park", "Choi", "Jung", "Kang", "Tanaka",
    "Suzuki", "Sato", "Watanabe", "Nakamura", "Gupta", "Sharma", "Patel", "Singh", "Kumar",
    "Iyer", "Novak", "Kowalski", "Ivanov", "Petrov", "Nguyen", "Tran", "Silva", "Santos",
    "Ferreira", "Cohen", "Levy", "Hansen", "Larsen",
]  # fmt: skip
GIVEN_OTHER = [
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "Daniel", "Sarah", "Matthew", "Emily", "Andrew", "Anna", "Noam", "Ashish",
    "Jakob", "Lukas", "Sophie", "Hannah", "Pierre", "Camille", "Marco", "Giulia", "Ji-hoon",
    "Min-jun", "Seo-yeon", "Hiroshi", "Yuki", "Kenji", "Priya", "Arjun", "Rahul", "Ananya",
    "Olga", "Dmitri", "Minh", "Lucas", "Gabriel", "Yael", "Omer", "Ingrid", "Lars", "Kristina",
    "Jacob", "Kenton", "Colin", "Percy",
]  # fmt: skip

#: Members' display names: a surname and a one- or two-character given name.
SURNAMES_HANZI = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏"
)
GIVEN_HANZI = (
    "伟芳娜敏静丽强磊洋艳勇军杰涛明超霞平刚华玉萍红玲燕彬鑫宇浩然轩涵诺欣怡思远嘉懿晨阳博文"
)

EMAIL_DOMAINS = [
    "qq.com", "163.com", "gmail.com", "outlook.com", "126.com", "foxmail.com", "pku.edu.cn",
    "mails.tsinghua.edu.cn", "fudan.edu.cn", "sjtu.edu.cn", "stanford.edu", "example.org",
]  # fmt: skip

CATEGORIES = [
    ("cs.CL", 40), ("cs.LG", 25), ("cs.CV", 12), ("cs.AI", 8), ("cs.IR", 6), ("stat.ML", 3),
    ("cs.SD", 2), ("eess.AS", 1), ("cs.RO", 2), ("q-bio.BM", 1),
]  # fmt: skip

VENUES = ["ACL", "EMNLP", "NAACL", "NeurIPS", "ICML", "ICLR", "CVPR", "SIGIR", "KDD", "AAAI"]

CODE_HOSTS = ["github.com", "github.com", "github.com", "gitee.com"]
CODE_ORGS = [
    "thunlp", "THUDM", "facebookresearch", "google-research", "microsoft", "huggingface",
    "allenai", "OpenBMB", "QwenLM", "FlagOpen", "stanford-crfm", "princeton-nlp", "salesforce",
]  # fmt: skip
