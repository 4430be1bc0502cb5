"""examples/legacy/seq2seq_translation.py written for modern torch (the same computation, no varshim)."""
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim

device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
SOS_token, EOS_token, MAX_LENGTH = 0, 1, 6


class Lang:
    def __init__(self, name):
        self.name = name
        self.word2index = {}
        self.index2word = {0: "SOS", 1: "EOS"}
        self.n_words = 2

    def addSentence(self, sentence):
        for word in sentence.split(' '):
            if word not in self.word2index:
                self.word2index[word] = self.n_words
                self.index2word[self.n_words] = word
                self.n_words += 1


random.seed(5)
torch.manual_seed(5)
pairs = []
for _ in range(60):
    words = [random.randint(0, 9) for _ in range(random.randint(2, 4))]
    pairs.append((' '.join('a%d' % w for w in words), ' '.join('b%d' % ((w * 3) % 10) for w in reversed(words))))
input_lang, output_lang = Lang('src'), Lang('tgt')
for src, tgt in pairs:
    input_lang.addSentence(src)
    output_lang.addSentence(tgt)


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size)

    def forward(self, input, hidden):
        embedded = self.embedding(input).view(1, 1, -1)
        return self.gru(embedded, hidden)

    def initHidden(self):
        return torch.zeros(1, 1, self.hidden_size, device=device)


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, dropout_p=0.1, max_length=MAX_LENGTH):
        super().__init__()
        self.hidden_size = hidden_size
        self.output_size = output_size
        self.dropout_p = dropout_p
        self.max_length = max_length

        self.embedding = nn.Embedding(self.output_size, self.hidden_size)
        self.attn = nn.Linear(self.hidden_size * 2, self.max_length)
        self.attn_combine = nn.Linear(self.hidden_size * 2, self.hidden_size)
        self.dropout = nn.Dropout(self.dropout_p)
        self.gru = nn.GRU(self.hidden_size, self.hidden_size)
        self.out = nn.Linear(self.hidden_size, self.output_size)

    def forward(self, input, hidden, encoder_outputs):
        embedded = self.embedding(input).view(1, 1, -1)
        embedded = self.dropout(embedded)

        attn_weights = F.softmax(self.attn(torch.cat((embedded[0], hidden[0]), 1)), dim=1)
        attn_applied = torch.bmm(attn_weights.unsqueeze(0), encoder_outputs.unsqueeze(0))

        output = torch.cat((embedded[0], attn_applied[0]), 1)
        output = self.attn_combine(output).unsqueeze(0)

        output = F.relu(output)
        output, hidden = self.gru(output, hidden)

        output = F.log_softmax(self.out(output[0]), dim=1)
        return output, hidden, attn_weights


def tensorFromSentence(lang, sentence):
    indexes = [lang.word2index[word] for word in sentence.split(' ')]
    indexes.append(EOS_token)
    return torch.tensor(indexes, dtype=torch.long, device=device).view(-1, 1)


teacher_forcing_ratio = 0.5


def train(input_tensor, target_tensor, encoder, decoder, encoder_optimizer, decoder_optimizer, criterion,
          max_length=MAX_LENGTH):
    encoder_hidden = encoder.initHidden()

    encoder_optimizer.zero_grad()
    decoder_optimizer.zero_grad()

    input_length = input_tensor.size(0)
    target_length = target_tensor.size(0)

    encoder_outputs = torch.zeros(max_length, encoder.hidden_size, device=device)

    loss = 0

    for ei in range(input_length):
        encoder_output, encoder_hidden = encoder(input_tensor[ei], encoder_hidden)
        encoder_outputs[ei] = encoder_output[0, 0]

    decoder_input = torch.tensor([[SOS_token]], device=device)
    decoder_hidden = encoder_hidden

    use_teacher_forcing = True if random.random() < teacher_forcing_ratio else False

    if use_teacher_forcing:
        for di in range(target_length):
            decoder_output, decoder_hidden, decoder_attention = decoder(decoder_input, decoder_hidden, encoder_outputs)
            loss += criterion(decoder_output, target_tensor[di])
            decoder_input = target_tensor[di]
    else:
        for di in range(target_length):
            decoder_output, decoder_hidden, decoder_attention = decoder(decoder_input, decoder_hidden, encoder_outputs)
            topv, topi = decoder_output.topk(1)
            decoder_input = topi.squeeze().detach().view(1, 1)

            loss += criterion(decoder_output, target_tensor[di])
            if decoder_input.item() == EOS_token:
                break

    loss.backward()

    encoder_optimizer.step()
    decoder_optimizer.step()

    return loss.item() / target_length


def evaluate(encoder, decoder, sentence, max_length=MAX_LENGTH):
    with torch.no_grad():
        input_tensor = tensorFromSentence(input_lang, sentence)
        input_length = input_tensor.size(0)
        encoder_hidden = encoder.initHidden()

        encoder_outputs = torch.zeros(max_length, encoder.hidden_size, device=device)

        for ei in range(input_length):
            encoder_output, encoder_hidden = encoder(input_tensor[ei], encoder_hidden)
            encoder_outputs[ei] += encoder_output[0, 0]

        decoder_input = torch.tensor([[SOS_token]], device=device)
        decoder_hidden = encoder_hidden

        decoded_words = []
        decoder_attentions = torch.zeros(max_length, max_length)

        for di in range(max_length):
            decoder_output, decoder_hidden, decoder_attention = decoder(decoder_input, decoder_hidden, encoder_outputs)
            decoder_attentions[di] = decoder_attention
            topv, topi = decoder_output.topk(1)
            if topi.item() == EOS_token:
                decoded_words.append('<EOS>')
                break
            else:
                decoded_words.append(output_lang.index2word[topi.item()])

            decoder_input = topi.squeeze().detach().view(1, 1)

        return decoded_words, decoder_attentions[:di + 1]


class Beam:
    """A trimmed beam (after OpenNMT-py's): scores, back-pointers and the words of each step."""

    def __init__(self, size):
        self.size = size
        self.done = False
        self.scores = torch.zeros(size)
        self.prevKs = []
        self.nextYs = [torch.full((size,), SOS_token, dtype=torch.long)]

    def getCurrentState(self):
        return self.nextYs[-1]

    def advance(self, wordLk):
        numWords = wordLk.size(1)
        if len(self.prevKs) > 0:
            beamLk = wordLk + self.scores.unsqueeze(1).expand_as(wordLk)
        else:
            beamLk = wordLk[0]
        flatBeamLk = beamLk.view(-1)
        bestScores, bestScoresId = flatBeamLk.topk(self.size, 0, True, True)
        self.scores = bestScores
        prevK = torch.div(bestScoresId, numWords, rounding_mode='trunc')
        self.prevKs.append(prevK)
        self.nextYs.append(bestScoresId - prevK * numWords)
        if self.nextYs[-1][0].item() == EOS_token:
            self.done = True
        return self.done

    def getHyp(self, k):
        hyp = []
        for j in range(len(self.prevKs) - 1, -1, -1):
            hyp.append(self.nextYs[j + 1][k].item())
            k = self.prevKs[j][k].item()
        return hyp[::-1]


def beam_search(encoder, decoder, sentence, beam_size=3, max_length=MAX_LENGTH):
    with torch.no_grad():
        input_tensor = tensorFromSentence(input_lang, sentence)
        encoder_hidden = encoder.initHidden()
        encoder_outputs = torch.zeros(max_length, encoder.hidden_size, device=device)
        for ei in range(input_tensor.size(0)):
            encoder_output, encoder_hidden = encoder(input_tensor[ei], encoder_hidden)
            encoder_outputs[ei] += encoder_output[0, 0]

        beam = Beam(beam_size)
        hiddens = [encoder_hidden] * beam_size
        for di in range(max_length):
            outputs, new_hiddens = [], []
            for k, word in enumerate(beam.getCurrentState().tolist()):
                output, hidden, _ = decoder(torch.tensor([[word]], device=device), hiddens[k], encoder_outputs)
                outputs.append(output)
                new_hiddens.append(hidden)
            if beam.advance(torch.cat(outputs)):
                break
            hiddens = [new_hiddens[k] for k in beam.prevKs[-1].tolist()]
        return [output_lang.index2word[i] for i in beam.getHyp(0)], beam.scores[0].item()


hidden_size = 16
encoder1 = EncoderRNN(input_lang.n_words, hidden_size).to(device)
attn_decoder1 = AttnDecoderRNN(hidden_size, output_lang.n_words, dropout_p=0.1).to(device)
encoder_optimizer = optim.SGD(encoder1.parameters(), lr=0.05)
decoder_optimizer = optim.SGD(attn_decoder1.parameters(), lr=0.05)
criterion = nn.NLLLoss()

n_iters, print_every = 120, 20
print_loss_total = 0
for iter in range(1, n_iters + 1):
    training_pair = random.choice(pairs)
    input_tensor = tensorFromSentence(input_lang, training_pair[0])
    target_tensor = tensorFromSentence(output_lang, training_pair[1])
    loss = train(input_tensor, target_tensor, encoder1, attn_decoder1, encoder_optimizer, decoder_optimizer,
                 criterion)
    print_loss_total += loss
    if iter % print_every == 0:
        print('(%d %d%%) %.6f' % (iter, iter / n_iters * 100, print_loss_total / print_every))
        print_loss_total = 0

encoder1.eval()
attn_decoder1.eval()
for pair in pairs[:4]:
    output_words, attentions = evaluate(encoder1, attn_decoder1, pair[0])
    print('>', pair[0], '=', pair[1], '<', ' '.join(output_words), 'attention max %.6f' % attentions.max())
    words, score = beam_search(encoder1, attn_decoder1, pair[0])
    print('  beam:', ' '.join(words), 'log-probability %.6f' % score)
